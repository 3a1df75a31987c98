from nhiscan.cli import main

main()
