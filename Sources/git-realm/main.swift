import RealmCLI

Entry.main()
