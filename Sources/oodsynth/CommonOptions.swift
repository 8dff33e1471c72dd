import ArgumentParser

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only warnings and errors on stderr.")
    var quiet = false
}
