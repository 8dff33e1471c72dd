import ArgumentParser

/// Where a stream-to-stream stage reads and writes: files, or stdin and stdout.
struct StreamOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Read the stream from this file instead of stdin.")
    var input: String?

    @Option(name: .shortAndLong, help: "Write the stream to this file instead of stdout.")
    var output: String?
}
