import Foundation
import Generation
import OODCore
import WebDataset

/// Makes the generator a `--backend` names and shuts it down again, for commands and the runner,
/// which run on ordinary threads.
public enum GeneratorFactory {
    public struct Settings: Sendable {
        public var diffusion = AnalyticDiffusion.Options()
        /// The embedded ID stream the builtin backend composes from.
        public var references: String?
        public var maxReferences = 4096
        public var captionWeight: Float = 1
        public var workers = ProcessInfo.processInfo.activeProcessorCount
        public var seed: UInt64 = 0
        public var timeout = 600.0
        public var startupTimeout = 600.0
        public var concurrency = 2
        public var retries = 3

        public init() {}
    }

    public struct Made {
        public var generator: any ImageGenerator
        /// The model the builtin backend's references were embedded with: the stream it serves must
        /// come from the same space.
        public var referenceModel: ModelIdentity?
    }

    public static func make(_ backend: GeneratorBackend, settings: Settings, openReferences: (String) throws -> (SampleReader, String),
                            diagnostics: Diagnostics) throws -> Made {
        switch backend {
        case .builtin:
            guard let path = settings.references else {
                throw PipelineError.invalidOption("--backend builtin composes from ID images: give --references EMBEDDED_ID_STREAM")
            }
            var loader = ReferenceLoader()
            loader.side = settings.diffusion.side
            loader.maxReferences = settings.maxReferences
            loader.seed = settings.seed
            loader.workers = settings.workers
            let (reader, name) = try openReferences(path)
            let loaded = try loader.load(reading: reader, inputName: name, diagnostics: diagnostics)
            diagnostics.info("generate: \(loaded.references.count) reference images at \(settings.diffusion.side) px"
                + (loaded.skipped.total > 0 ? ", skipped \(loaded.skipped.total) (\(loaded.skipped.summary))" : ""))
            let diffusion = AnalyticDiffusion(references: loaded.references, options: settings.diffusion)
            return Made(generator: BuiltinGenerator(diffusion: diffusion, captionWeight: settings.captionWeight, workers: settings.workers),
                        referenceModel: loaded.model)
        case .worker(let command):
            let started: Result<WorkerGenerator, GenerationError>? = AsyncBridge.wait {
                do throws(GenerationError) {
                    return .success(try await WorkerGenerator(command: command, timeout: settings.timeout, startupTimeout: settings.startupTimeout))
                } catch {
                    return .failure(error)
                }
            }
            return Made(generator: try unwrap(started), referenceModel: nil)
        case .a1111(let url):
            let started: Result<A1111Generator, GenerationError>? = AsyncBridge.wait {
                do throws(GenerationError) {
                    return .success(try await A1111Generator(url: url, concurrency: settings.concurrency, timeout: settings.timeout,
                                                             retries: settings.retries))
                } catch {
                    return .failure(error)
                }
            }
            return Made(generator: try unwrap(started), referenceModel: nil)
        }
    }

    public static func close(_ generator: any ImageGenerator) {
        _ = AsyncBridge.wait { await generator.close() }
    }

    private static func unwrap<G>(_ result: Result<G, GenerationError>?) throws -> G {
        switch result {
        case .success(let generator): return generator
        case .failure(let error): throw PipelineError.generator(error.description)
        case nil: throw PipelineError.generator("the backend did not start")
        }
    }
}
