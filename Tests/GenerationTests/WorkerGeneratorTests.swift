import Foundation
import Imaging
import Testing
@testable import Generation
import TestVenv

/// The worker backend against real child processes: scripts/diffusion-worker.py (a tiny random
/// diffusers pipeline) for the protocol, Tests/interop/flaky_worker.py for crashes and hangs.
@Suite struct WorkerGeneratorTests {
    // WorkerGenerator runs its command by /bin/sh -c with this process's PATH: Venv.python3 names
    // the venv's interpreter.
    static let flaky = Venv.python3 + " " + Python.repository.appendingPathComponent("Tests/interop/flaky_worker.py").path

    static func requests(_ count: Int, size: Int = 64, embeds: [Float]? = nil) -> [GenerationRequest] {
        (0..<count).map {
            GenerationRequest(id: String(format: "%09d", $0), prompt: "a wooden \($0) lantern", negativePrompt: "bird, mammal",
                              seed: UInt32(1000 + $0), steps: 4, guidance: 7.5, width: size, height: size, imageEmbedding: embeds)
        }
    }

    static var hasDiffusers: Bool { (try? Python.run("import diffusers, torch"))?.status == 0 }

    @Test func diffusersWorkerMakesImagesDeterministically() async throws {
        try #require(Self.hasDiffusers, "diffusers is not installed (scripts/setup test installs it)")
        let worker = try await WorkerGenerator(command: "\(Venv.python3) '\(Python.worker)' --tiny-random", timeout: 120, startupTimeout: 300)
        var bad = Self.requests(1)[0]
        bad.id = "bad"
        bad.width = 63
        let batch = Self.requests(2) + [bad]
        let first = await worker.generate(batch)
        let second = await worker.generate(Array(batch.prefix(1)))
        await worker.close()
        #expect(worker.identity.backend == "worker")
        let images = try first.prefix(2).map { try $0.get() }
        for image in images {
            let decoded = try ImageDecoder.decode(image.png)
            #expect(decoded.width == 64 && decoded.height == 64)
        }
        #expect(images[0].png != images[1].png)
        #expect(try second[0].get().png == images[0].png, "the same request gave another image")
        guard case .failure(.backend(let reason)) = first[2] else { Issue.record("width 63 gave \(first[2])"); return }
        #expect(reason.contains("8"), "\(reason)")
    }

    @Test func unCLIPWorkerTakesTheGapEmbedding() async throws {
        try #require(Self.hasDiffusers, "diffusers is not installed (scripts/setup test installs it)")
        let worker = try await WorkerGenerator(command: "\(Venv.python3) '\(Python.worker)' --tiny-random --unclip-embeds-dim 16",
                                               timeout: 120, startupTimeout: 300)
        #expect(worker.acceptsImageEmbedding(dimension: 16))
        #expect(!worker.acceptsImageEmbedding(dimension: 384))
        let a = (0..<16).map { Float($0) / 16 }, b = (0..<16).map { Float(16 - $0) / 16 }
        let results = await worker.generate(Self.requests(1, embeds: a) + Self.requests(1, embeds: b))
        await worker.close()
        let images = try results.map { try $0.get() }
        #expect(images.allSatisfy { $0.details["image_embeds"] == "sent" })
        // Same prompt and seed: only the embedding differs, and so must the image.
        #expect(images[0].png != images[1].png)
    }

    @Test func aCrashedWorkerIsRestartedOnceThenTheRestFail() async throws {
        let worker = try await WorkerGenerator(command: Self.flaky + " --die-after 2", timeout: 30, startupTimeout: 30)
        let results = await worker.generate(Self.requests(5))
        let later = await worker.generate(Self.requests(1))
        await worker.close()
        #expect(results.prefix(4).allSatisfy { (try? $0.get()) != nil }, "\(results)")
        guard case .failure(.workerExited(let reason)) = results[4] else { Issue.record("\(results[4])"); return }
        #expect(reason.contains("exited with status 3") && reason.contains("after one restart"), "\(reason)")
        guard case .failure(.workerExited) = later[0] else { Issue.record("\(later[0])"); return }
    }

    @Test func aHungWorkerTimesOut() async throws {
        let worker = try await WorkerGenerator(command: Self.flaky + " --hang", timeout: 1, startupTimeout: 30)
        let results = await worker.generate(Self.requests(3))
        await worker.close()
        guard case .failure(.timedOut) = results[0], case .failure(.timedOut) = results[1] else { Issue.record("\(results)"); return }
        guard case .failure(.workerExited(let reason)) = results[2] else { Issue.record("\(results[2])"); return }
        #expect(reason.contains("no answer within 1 s"), "\(reason)")
    }

    @Test func aWorkerThatCannotStartSaysWhy() async throws {
        do {
            _ = try await WorkerGenerator(command: Self.flaky + " --exit-at-start", timeout: 5, startupTimeout: 30)
            Issue.record("started")
        } catch {
            #expect(error.description.contains("exited with status 4 before its handshake"), "\(error)")
        }
        do {
            _ = try await WorkerGenerator(command: Self.flaky + " --no-handshake", timeout: 5, startupTimeout: 30)
            Issue.record("started")
        } catch {
            #expect(error.description.contains("not an oodsynth-worker handshake: Loading pipeline"), "\(error)")
        }
    }
}
