/// A failure inside the pipeline that is not the decoder's or encoder's own error.
public enum PipelineError: Error, CustomStringConvertible {
    case processorSetup(underlying: any Error)
    case processing(frameIndex: Int, method: String, underlying: any Error)
    case processorChangedSize(frameIndex: Int, method: String, expected: String, got: String)

    public var description: String {
        switch self {
        case .processorSetup(let error): return "cannot set up the method: \(error)"
        case .processing(let index, let method, let error): return "method \(method) failed on frame \(index): \(error)"
        case .processorChangedSize(let index, let method, let expected, let got):
            return "method \(method) returned a \(got) frame for the \(expected) frame \(index)"
        }
    }
}
