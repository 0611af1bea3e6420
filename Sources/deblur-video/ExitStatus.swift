import Stream

/// Exit codes of `deblur-video`, documented in `--help`.
enum ExitStatus: Int32 {
    case success = 0
    /// Bad command line (unknown flag, bad value).
    case usage = 1
    /// Input missing, unreadable, not a video/image, or an unsupported codec.
    case input = 2
    /// Output cannot be created or written, or format/codec cannot be used.
    case output = 3
    /// The input broke mid-stream (corrupt or truncated) or the method failed on a frame.
    case processing = 4
    /// Interrupted by Ctrl-C or SIGTERM; the output written so far was finalized and kept.
    case interrupted = 130
}

/// An error the CLI reports as one `error: …` line and exits with `status`.
struct CLIFailure: Error {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// Classifies errors from the Stream module.
    init(_ error: any Error) {
        switch error {
        case let e as CLIFailure: self = e
        case let e as DecodeError:
            switch e {
            case .corruptStream, .truncated: self.init(.processing, e.description)
            default: self.init(.input, e.description)
            }
        case let e as EncodeError: self.init(.output, e.description)
        case let e as PipelineError: self.init(.processing, e.description)
        default: self.init(.processing, String(describing: error))
        }
    }
}
