import OODCore
import WebDataset

/// Where a stage puts its samples: a tar stream on stdout or a file, or the next stage in-process.
public protocol SampleSink {
    mutating func write(_ sample: Sample) throws
}

extension SampleWriter: SampleSink {}
