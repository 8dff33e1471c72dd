import Foundation
import OODCore
import WebDataset

/// Runs pipeline phases in one process. Within a phase every stage runs on a thread of its own and
/// passes its tar stream to the next through a pipe: the bytes are exactly those `oodsynth A | oodsynth
/// B` would pass, and the pipe's buffer is the bounded queue between the two stages (a fast stage
/// waits for a slow one instead of piling up samples).
///
/// A phase's checkpoint is written under a temporary name and renamed when the phase completes, so a
/// killed run leaves either a complete checkpoint or none; `resume` skips the phases whose checkpoint
/// is there. Every stage is deterministic, so what is redone comes out the same.
///
/// SIGPIPE must be ignored by the caller: a stage that fails closes its input, and the stage feeding
/// it must then get an error from write, not a signal that ends the process.
public final class Runner {
    let diagnostics: Diagnostics

    public init(diagnostics: Diagnostics) {
        self.diagnostics = diagnostics
    }

    /// Runs the phases in order; returns every stage's summary line.
    public func run(_ phases: [RunPhase], resume: Bool) throws -> [String] {
        var summaries: [String] = []
        for phase in phases {
            if resume && phase.isComplete {
                diagnostics.info("run: \(phase.name): complete in an earlier run")
                continue
            }
            summaries += try run(phase).summaries
        }
        return summaries
    }

    private final class Slot: @unchecked Sendable {
        let name: String
        var stage: PipelineStage?
        var writer: SampleWriter?
        var summary: String?
        var error: Error?
        init(name: String) { self.name = name }
    }

    /// Runs one phase whatever its checkpoint: the stages' summary lines and the samples the last
    /// stage wrote to the checkpoint (nil for a sink).
    public func run(_ phase: RunPhase) throws -> (summaries: [String], count: Int?) {
        let started = ProcessInfo.processInfo.systemUptime
        let stages = try phase.stages.map { try $0.make() }
        let temporary = phase.checkpoint.map { $0 + ".partial" }
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }

        // pipes[i] joins stage i to stage i + 1.
        var pipes: [(read: Int32, write: Int32)] = []
        defer { for pipe in pipes { close(pipe.read); close(pipe.write) } }
        for _ in 0..<max(0, stages.count - 1) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw PipelineError.invalidOption("run: cannot make a pipe (errno \(errno))") }
            pipes.append((fds[0], fds[1]))
        }
        // Each end is closed by its stage's thread when the stage is done; -1 marks it closed here.
        let slots = stages.map { stage in
            let slot = Slot(name: stage.name)
            slot.stage = stage
            return slot
        }
        let count = stages.count
        for (index, slot) in slots.enumerated() {
            do {
                if index < stages.count - 1 {
                    slot.writer = try SampleWriter(fileDescriptor: pipes[index].write, name: "\(stages[index].name) -> \(stages[index + 1].name)")
                } else if let temporary {
                    slot.writer = try SampleWriter(path: temporary)
                }
            } catch {
                throw PipelineError.outputFailed(temporary ?? phase.name, reason: "\(error)")
            }
        }

        let group = DispatchGroup()
        let ends = PipeEnds(pipes)
        for (index, stage) in stages.enumerated() {
            let slot = slots[index]
            let stageName = stage.name
            let inputName = index == 0 ? (phase.input ?? "") : "\(stages[index - 1].name) output"
            let inputPath = index == 0 ? phase.input : nil
            let inputFD = index == 0 ? nil : Optional(pipes[index - 1].read)
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    var reader: SampleReader?
                    if let inputPath { reader = try SampleReader(path: inputPath) }
                    if let inputFD { reader = try SampleReader(fileDescriptor: inputFD, name: inputName) }
                    slot.summary = try slot.stage?.body(reader, inputName, slot.writer)
                    try slot.writer?.finish()
                } catch {
                    slot.error = error
                    // What was written still ends as a readable stream, as a failing command's stdout does.
                    try? slot.writer?.finish()
                }
                // Our end of each pipe: downstream now sees the end of the stream, and upstream,
                // if it is still writing, an error instead of a reader that never comes.
                if index < count - 1 { ends.close(index, write: true) }
                if index > 0 { ends.close(index - 1, write: false) }
            }
            thread.name = "oodsynth-\(stageName)"
            thread.stackSize = 16 << 20
            thread.start()
        }
        watch(group, phase: phase.name, slots: slots)
        pipes = ends.remaining()

        // The first failing stage is the cause; the stages after it failed because their input ended.
        if let failed = slots.first(where: { $0.error != nil }), let error = failed.error {
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            throw error
        }
        if let temporary, let checkpoint = phase.checkpoint {
            guard rename(temporary, checkpoint) == 0 else {
                throw PipelineError.outputFailed(checkpoint, reason: "cannot rename \(temporary) (errno \(errno))")
            }
        }
        if let marker = phase.marker, !FileManager.default.createFile(atPath: marker, contents: Data()) {
            throw PipelineError.outputFailed(marker, reason: "cannot write the phase's completion marker")
        }
        let seconds = ProcessInfo.processInfo.systemUptime - started
        diagnostics.info(String(format: "run: \(phase.name) done in %.1f s", seconds))
        return (slots.compactMap(\.summary), phase.checkpoint == nil ? nil : slots.last?.writer?.samplesWritten)
    }

    /// Waits for the phase, showing one progress line with every stage's output count.
    private func watch(_ group: DispatchGroup, phase: String, slots: [Slot]) {
        while group.wait(timeout: .now() + 0.5) == .timedOut {
            // Counts read while the stages write them: a display, never a decision.
            let counts = slots.map { slot in "\(slot.name) \(slot.writer?.samplesWritten ?? 0)" }
            diagnostics.progress("run: \(phase): " + counts.joined(separator: " | "))
        }
    }

    /// The pipe descriptors, closed once each, from whichever thread is done with it.
    private final class PipeEnds: @unchecked Sendable {
        private let lock = NSLock()
        private var pipes: [(read: Int32, write: Int32)]
        init(_ pipes: [(read: Int32, write: Int32)]) { self.pipes = pipes }

        func close(_ index: Int, write: Bool) {
            lock.lock()
            defer { lock.unlock() }
            if write, pipes[index].write >= 0 {
                Foundation.close(pipes[index].write)
                pipes[index].write = -1
            } else if !write, pipes[index].read >= 0 {
                Foundation.close(pipes[index].read)
                pipes[index].read = -1
            }
        }

        /// What is still open, for the runner to close (nothing, once every stage ended).
        func remaining() -> [(read: Int32, write: Int32)] {
            lock.lock()
            defer { lock.unlock() }
            return pipes.map { (max($0.read, -1), max($0.write, -1)) }.filter { $0.read >= 0 || $0.write >= 0 }
        }
    }
}
