import ArgumentParser

/// The manifest and its command-line overrides, as `run` and `plan` take them.
struct ManifestOptions: ParsableArguments {
    @Argument(help: "The manifest (YAML).")
    var manifest: String

    @Option(help: "Output folder (instead of the manifest's out).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override a manifest value: key=value or stage.key=value (repeatable).")
    var overrides: [String] = []
}
