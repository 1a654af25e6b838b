from loopdoctor.cli import main

main()
