"""`python -m comandia.console`."""

import sys

from comandia.console.app import main

sys.exit(main())
