import OODCore
import Testing
@testable import Pipeline

@Suite struct ModelResolverTests {
    /// `oodsynth run` asks for the model in embed, caption and filter; the weights load once.
    @Test func aModelIsLoadedOncePerProcess() throws {
        let diagnostics = Diagnostics(quiet: true)
        let first = try ModelResolver.load("builtin", diagnostics: diagnostics)
        let second = try ModelResolver.load("builtin", diagnostics: diagnostics)
        #expect(first.text === second.text)
        #expect(first.image != nil && first.image === second.image)
    }
}
