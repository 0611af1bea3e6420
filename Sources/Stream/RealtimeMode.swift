/// What `--realtime` does with a frame when full processing would make the output fall behind the input.
public enum RealtimeMode: String, Sendable, CaseIterable {
    /// Run the processor at a reduced internal resolution (1/2, then 1/4) and add its upscaled correction.
    case downscale
    /// Pass the frame through untouched.
    case skip
}
