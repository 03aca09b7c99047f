from tsp_auth.cli import main

main()
