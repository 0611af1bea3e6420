/// Limits and address of the web server; every number a client could abuse is bounded here.
public struct WebConfiguration: Sendable {
    /// Interface to bind. Loopback by default: the server is for the local user.
    public var host: String
    /// TCP port; 0 picks a free one (tests).
    public var port: Int
    /// Largest accepted request body in bytes (→ 413).
    public var maxUploadBytes: Int
    /// Largest decoded image in pixels, width × height (→ 413), against decompression bombs.
    public var maxPixels: Int
    /// How many uploads are processed at the same time.
    public var concurrentJobs: Int
    /// How many more may wait for a free worker before the server answers 503.
    public var queueLength: Int
    /// Longest time a request may take to send its body (→ 408).
    public var uploadTimeout: Duration
    /// Longest time a request may wait in the queue plus be processed (→ 503).
    public var processingTimeout: Duration
    /// Seconds suggested to a client turned away with 503.
    public var retryAfterSeconds: Int
    /// Close connections that send nothing for this long.
    public var idleTimeout: Duration
    /// Name of the restoration method, shown on the page.
    public var methodName: String
    /// Longest accepted video, in frames (→ 413).
    public var maxVideoFrames: Int
    /// Video jobs kept at once; when full, the oldest finished job is dropped for a new one (→ 503 only when all are unfinished).
    public var maxStoredJobs: Int
    /// How long a finished job's result stays available.
    public var jobRetentionSeconds: Double

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxUploadBytes: Int = 25 * 1024 * 1024,
        maxPixels: Int = 8_388_608,
        concurrentJobs: Int = 1,
        queueLength: Int = 4,
        uploadTimeout: Duration = .seconds(60),
        processingTimeout: Duration = .seconds(300),
        retryAfterSeconds: Int = 5,
        idleTimeout: Duration = .seconds(30),
        methodName: String = "none",
        maxVideoFrames: Int = 900,
        maxStoredJobs: Int = 8,
        jobRetentionSeconds: Double = 1800
    ) {
        self.host = host
        self.port = port
        self.maxUploadBytes = maxUploadBytes
        self.maxPixels = maxPixels
        self.concurrentJobs = max(1, concurrentJobs)
        self.queueLength = max(0, queueLength)
        self.uploadTimeout = uploadTimeout
        self.processingTimeout = processingTimeout
        self.retryAfterSeconds = retryAfterSeconds
        self.idleTimeout = idleTimeout
        self.methodName = methodName
        self.maxVideoFrames = max(1, maxVideoFrames)
        self.maxStoredJobs = max(1, maxStoredJobs)
        self.jobRetentionSeconds = jobRetentionSeconds
    }
}
