from bpstudio.cli import main

raise SystemExit(main())
