import sys

from cchc.cli.main import main

sys.exit(main())
