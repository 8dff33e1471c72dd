import Foundation
import Imaging
import Testing
@testable import Generation
import TestVenv
import Workers

/// The A1111 backend against a real HTTP server: scripts/diffusion-worker.py --http serves the
/// AUTOMATIC1111 API (`/sdapi/v1/options`, `/sdapi/v1/txt2img`) with a tiny random diffusers pipeline.
@Suite(.serialized) struct A1111GeneratorTests {
    final class Server {
        let process: ChildProcess
        let port: Int
        /// Its stdout, open as long as it runs: a write to a pipe nobody can read kills it (SIGPIPE).
        let out = Pipe()

        /// Starts the server on `port` (0: any free port, read from its first stdout line).
        init(port: Int = 0) throws {
            process = try ChildProcess("/usr/bin/env", ["python3", Python.worker, "--tiny-random", "--http", String(port)],
                                       environment: Venv.environment, output: .descriptor(out.fileHandleForWriting.fileDescriptor))
            try out.fileHandleForWriting.close()
            guard port == 0 else {
                self.port = port
                return
            }
            let text = PeerServer.firstLine(of: out.fileHandleForReading)
            guard let range = text.range(of: #"http://127\.0\.0\.1:([0-9]+)"#, options: .regularExpression),
                  let found = Int(text[range].split(separator: ":").last ?? "") else {
                process.signal(SIGTERM)
                process.wait()
                throw ServerFailure(message: "the server did not say where it listens: \(text)")
            }
            self.port = found
        }

        var url: String { "http://127.0.0.1:\(port)" }

        /// SIGTERM (the server exits cleanly on it), then SIGKILL if it is still there after 10 s.
        func stop() {
            process.signal(SIGTERM)
            if process.wait(seconds: 10) == nil { process.signal(SIGKILL) }
            process.wait()
        }
    }

    struct ServerFailure: Error { var message: String }

    @Test func makesImagesAndReportsTheServersErrors() async throws {
        try #require(WorkerGeneratorTests.hasDiffusers, "diffusers is not installed (scripts/setup test installs it)")
        let server = try Server()
        defer { server.stop() }
        let generator = try await A1111Generator(url: server.url + "/", concurrency: 2, timeout: 120, retries: 2)
        #expect(generator.identity.backend == "a1111")
        #expect(generator.identity.model.contains("tiny"), "\(generator.identity)")
        var bad = WorkerGeneratorTests.requests(1)[0]
        bad.id = "bad"
        bad.width = 63
        let results = await generator.generate(WorkerGeneratorTests.requests(3) + [bad])
        let again = await generator.generate(Array(WorkerGeneratorTests.requests(1)))
        let images = try results.prefix(3).map { try $0.get() }
        for image in images { #expect(image.width == 64 && image.height == 64) }
        #expect(Set(images.map(\.png)).count == 3)
        #expect(try again[0].get().png == images[0].png, "the same request gave another image")
        guard case .failure(.backend(let reason)) = results[3] else { Issue.record("\(results[3])"); return }
        #expect(reason.hasPrefix("HTTP 422"), "\(reason)")

        // The same tiny pipeline behind the JSON Lines protocol gives the same pixels.
        let worker = try await WorkerGenerator(command: "\(Venv.python3) '\(Python.worker)' --tiny-random", timeout: 120, startupTimeout: 300)
        let fromWorker = await worker.generate(Array(WorkerGeneratorTests.requests(1)))
        await worker.close()
        let viaHTTP = try ImageDecoder.decode(images[0].png).image, viaLines = try ImageDecoder.decode(try fromWorker[0].get().png).image
        #expect(viaHTTP == viaLines)
    }

    @Test func waitsWithBackoffForAServerThatIsStillStarting() async throws {
        try #require(WorkerGeneratorTests.hasDiffusers, "diffusers is not installed (scripts/setup test installs it)")
        let port = PeerServer.freePort()
        // Connect first; the server (importing torch, building its pipeline) comes up seconds later.
        async let generator = A1111Generator(url: "http://127.0.0.1:\(port)", timeout: 120, retries: 8, backoff: 0.25)
        let server = try Server(port: port)
        defer { server.stop() }
        let results = await (try generator).generate(Array(WorkerGeneratorTests.requests(1)))
        #expect((try? results[0].get()) != nil, "\(results)")
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let port = PeerServer.freePort()
        do {
            _ = try await A1111Generator(url: "http://127.0.0.1:\(port)", timeout: 5, retries: 1, backoff: 0.05)
            Issue.record("connected to nothing")
        } catch {
            #expect(error.description.contains("cannot reach the A1111 API at http://127.0.0.1:\(port)"), "\(error)")
        }
        do {
            _ = try await A1111Generator(url: "ftp://example.org")
            Issue.record("accepted ftp")
        } catch {
            #expect(error.description.contains("not an http(s) URL"), "\(error)")
        }
    }
}
