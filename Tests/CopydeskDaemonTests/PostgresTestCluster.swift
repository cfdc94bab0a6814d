import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL 15 cluster for tests, in a fresh folder `/tmp/copydesk-pg.XXXXXX` (short, for
/// the ~107-byte limit on Unix-socket paths): `data/`, `server.log`, `owner.pid` (the test process) and
/// the socket `.s.PGSQL.5432`. The server listens on that socket only (no TCP port, so clusters of
/// parallel test processes never collide), runs with `fsync=off`, and trusts every local connection.
/// Its superuser role is `copydesk`, which also owns a database `copydesk`. As root the server runs as
/// the `postgres` user, since PostgreSQL refuses to run as root.
///
/// Most tests share one cluster per test process (``shared()``) and take a fresh database each
/// (``createDatabase()``). A test that stops, kills or restarts the server starts a cluster of its own
/// (``start()``). Every cluster a test process started is stopped and removed when it exits; one left
/// behind by a test process that crashed is removed by the next ``shared()`` or ``start()``.
final class PostgresTestCluster: Sendable {
    /// The cluster's folder, which holds the server's Unix socket.
    let socketDirectory: String
    /// The port in the socket's name (`.s.PGSQL.5432`); nothing listens on TCP.
    let port = 5432
    private let databaseCount = Mutex(0)

    /// Why tests cannot start a cluster here, as a sentence for a skipped test; `nil` when they can.
    static var unavailableReason: String? { availability }

    /// The cluster this test process shares: started by the first call (concurrent callers wait for
    /// the same start, and a start that failed fails them all), stopped and removed when the process
    /// exits.
    static func shared() async throws -> PostgresTestCluster {
        try await sharedCluster.value
    }

    /// Starts a cluster of the caller's own, to stop, kill or restart. Call ``stop()`` when done; it
    /// is removed when released (stopped first if still running) or, at the latest, at exit.
    static func start() async throws -> PostgresTestCluster {
        try await offThePool {
            if let unavailableReason { throw Failure(description: unavailableReason) }
            removeStaleClusters()
            let cluster = try PostgresTestCluster(directory: makeDirectory())
            // A step that throws releases `cluster`, whose deinit stops and removes what was made.
            let initdb = [
                "-D", cluster.dataDirectory, "-A", "trust", "-U", "copydesk", "--no-sync", "-E", "UTF8",
                "--locale=C.UTF-8",
            ]
            try run("initdb", initdb, asServer: true)
            try cluster.startServer()
            try run("createdb", cluster.clientArguments + ["copydesk"])
            return cluster
        }
    }

    /// Creates a database with a new name and returns its URL, in libpq's form for a Unix socket:
    /// `postgresql://copydesk@/NAME?host=DIR`.
    func createDatabase() async throws -> String {
        let number = databaseCount.withLock { count in
            count += 1
            return count
        }
        let name = "test_\(number)"
        try await offThePool { [self] in
            try Self.run("createdb", clientArguments + [name])
        }
        // URL-safe ASCII and "/" stay as they are (CharacterSet.alphanumerics would keep every script's letters).
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: allowed) ?? socketDirectory
        return "postgresql://copydesk@/\(name)?host=\(host)"
    }

    /// Stops the server (`pg_ctl stop -m fast`: open sessions are ended, the data is flushed) and
    /// waits until it is down. ``restart()`` starts it again.
    func stop() async throws {
        try await offThePool { [self] in
            try Self.run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-s", "stop"], asServer: true)
        }
    }

    /// Kills the server as a crash would: SIGKILL to the postmaster, then waits until it and the
    /// server processes it had started are gone. ``restart()`` starts it again (with crash recovery).
    func kill() async throws {
        try await offThePool { [self] in
            guard let postmaster = Self.readPID(dataDirectory + "/postmaster.pid") else {
                throw Failure(description: "no server to kill: \(dataDirectory)/postmaster.pid is missing")
            }
            let server = [postmaster] + Self.children(of: postmaster)
            guard sendSignal(postmaster, SIGKILL) == 0 else {
                throw Failure(description: "kill -KILL \(postmaster) (the postmaster): \(Self.lastError)")
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while server.contains(where: Self.isAlive) {
                guard ContinuousClock.now < deadline else {
                    let alive = server.filter(Self.isAlive)
                    throw Failure(description: "server processes \(alive) still alive 30 s after SIGKILL")
                }
                usleep(20_000)
            }
        }
    }

    /// Starts the server again on the same data folder and socket, after ``stop()`` or ``kill()``; a
    /// server still running is stopped first.
    func restart() async throws {
        try await offThePool { [self] in
            // Lock files of a killed server name its dead postmaster. PostgreSQL takes an exited
            // process that PID 1 has not reaped yet (a zombie) for a live one, and refuses to start.
            for lockFile in [dataDirectory + "/postmaster.pid", "\(socketDirectory)/.s.PGSQL.\(port).lock"] {
                guard let pid = Self.readPID(lockFile) else { continue }
                if Self.isAlive(pid) {
                    try Self.run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-s", "stop"], asServer: true)
                } else {
                    try FileManager.default.removeItem(atPath: lockFile)
                }
            }
            try startServer()
        }
    }

    deinit {
        Self.remove(socketDirectory)
    }

    // MARK: - Private

    /// A step that failed: the command and what it wrote to stderr.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private static let binDirectory =
        ProcessInfo.processInfo.environment["COPYDESK_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    private static let runuser = "/usr/sbin/runuser"
    private static let sharedCluster = Task { try await start() }
    /// The folders of the clusters this process made and has not removed yet.
    private static let owned = Mutex<Set<String>>([])
    private static let exitHook: Void = {
        atexit { PostgresTestCluster.owned.withLock { $0 }.forEach(PostgresTestCluster.remove) }
    }()

    private static let availability: String? = {
        let skipped = "; PostgreSQL tests skipped"
        let programs = ["initdb", "pg_ctl", "postgres", "createdb"]
        guard programs.allSatisfy({ FileManager.default.isExecutableFile(atPath: binDirectory + "/" + $0) }) else {
            return "PostgreSQL server binaries not found in \(binDirectory) (apt-get install postgresql)" + skipped
        }
        guard spawnCloseFrom != nil, spawnChdir != nil else {
            return "the C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34)" + skipped
        }
        if getuid() == 0 {
            guard getpwnam("postgres") != nil else {
                return "running as root, and there is no postgres user to run the server as" + skipped
            }
            guard FileManager.default.isExecutableFile(atPath: runuser) else {
                return "running as root, and \(runuser) (util-linux) is missing to run the server as postgres" + skipped
            }
        }
        do {
            try run("postgres", ["--version"], asServer: true)
        } catch {
            return "the PostgreSQL server does not run: \(error)" + skipped
        }
        return nil
    }()

    private var dataDirectory: String { socketDirectory + "/data" }
    private var clientArguments: [String] { ["-h", socketDirectory, "-p", String(port), "-U", "copydesk"] }

    private init(directory: String) {
        socketDirectory = directory
    }

    private func startServer() throws {
        let options = "-k \(socketDirectory) -c listen_addresses='' -p \(port) -c fsync=off -c max_connections=200"
        let log = socketDirectory + "/server.log"
        do {
            let arguments = ["-D", dataDirectory, "-l", log, "-w", "-s", "-o", options, "start"]
            try Self.run("pg_ctl", arguments, asServer: true)
        } catch {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw Failure(description: "\(error)\n\(log) ends:\n\(tail)")
        }
    }

    /// Makes the cluster's folder with the test process's pid in `owner.pid`, owned by `postgres`
    /// when running as root, and has it removed at exit.
    private static func makeDirectory() throws -> String {
        var template = Array("/tmp/copydesk-pg.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Failure(description: "mkdtemp /tmp/copydesk-pg.XXXXXX: \(lastError)")
        }
        let directory = String(cString: made)
        _ = exitHook
        owned.withLock { _ = $0.insert(directory) }
        do {
            try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: directory + "/owner.pid"))
            // Readable by every user, so that a daemon under test running as another user reaches the socket.
            chmod(directory, 0o755)
            if getuid() == 0, let postgres = getpwnam("postgres")?.pointee,
                chown(directory, postgres.pw_uid, postgres.pw_gid) != 0
            {
                throw Failure(description: "chown postgres \(directory): \(lastError)")
            }
        } catch {
            remove(directory)
            throw error
        }
        return directory
    }

    /// Removes the clusters of test processes that ended without removing theirs (crashed or killed).
    private static func removeStaleClusters() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix("copydesk-pg.") {
            let directory = "/tmp/" + name
            if let owner = readPID(directory + "/owner.pid") {
                if isAlive(owner) { continue }
            } else {
                // A folder without owner.pid is stale only when it is not being set up right now.
                let attributes = try? FileManager.default.attributesOfItem(atPath: directory)
                if let made = attributes?[.modificationDate] as? Date, made.timeIntervalSinceNow > -60 { continue }
            }
            remove(directory)
        }
    }

    /// Stops the cluster in `directory` if it runs (`-m immediate`) and removes the folder.
    private static func remove(_ directory: String) {
        if FileManager.default.fileExists(atPath: directory + "/data/postmaster.pid") {
            try? run("pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "-s", "stop"], asServer: true)
        }
        try? FileManager.default.removeItem(atPath: directory)
        owned.withLock { _ = $0.remove(directory) }
    }

    /// Runs a program of the PostgreSQL binaries, as `postgres` when `asServer` and running as root,
    /// from `/` (runuser keeps the caller's folder, which `postgres` may not enter), and waits for it.
    ///
    /// posix_spawn, not Foundation's `Process`: `Process` learns that a child ended when a socket it
    /// hands the child closes, and the server that `pg_ctl start` leaves running would inherit it, so
    /// the wait would last as long as the server. Here the child gets stdin, stdout (`/dev/null`) and
    /// a pipe for stderr, and no other descriptor of the test process.
    private static func run(_ program: String, _ arguments: [String], asServer: Bool = false) throws {
        var command = [binDirectory + "/" + program] + arguments
        if asServer && getuid() == 0 { command = [runuser, "-u", "postgres", "--"] + command }
        let line = command.map { word in
            word.contains(where: " '".contains) ? "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'" : word
        }.joined(separator: " ")
        var stderr: [Int32] = [0, 0]
        guard pipe(&stderr) == 0 else {
            throw Failure(description: "`\(line)`: pipe: \(lastError)")
        }
        for end in stderr { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr[1], 2)
        _ = spawnCloseFrom?(&actions, 3)
        _ = spawnChdir?(&actions, "/")
        let argv = command.map { strdup($0) } + [nil]
        defer {
            for argument in argv { free(argument) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        close(stderr[1])
        let output = FileHandle(fileDescriptor: stderr[0], closeOnDealloc: true)
        guard spawned == 0 else {
            throw Failure(description: "`\(line)` could not run: \(String(cString: strerror(spawned)))")
        }
        let said = String(decoding: output.readDataToEndOfFile(), as: UTF8.self)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            let ending =
                status & 0x7F == 0 ? "exited with status \(status >> 8)" : "was killed by signal \(status & 0x7F)"
            throw Failure(description: "`\(line)` \(ending): \(said)")
        }
    }

    /// `posix_spawn_file_actions_addclosefrom_np` and `…_addchdir_np` (glibc 2.34), which Glibc's
    /// Swift module does not declare (they need `_GNU_SOURCE`).
    private static let spawnCloseFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast(
            $0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }
    private static let spawnChdir = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map {
        unsafeBitCast(
            $0,
            to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }

    private static var lastError: String { String(cString: strerror(errno)) }

    /// The first line of a PostgreSQL lock file (or of `owner.pid`) as a pid.
    private static func readPID(_ path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Whether `pid` runs: an exited process not yet reaped by its parent (a zombie) does not.
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard let state = status(pid)?.state else { return false }
        return state != "Z"
    }

    /// The processes whose parent is `pid`.
    private static func children(of pid: pid_t) -> [pid_t] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return all.filter { status($0)?.parent == pid }
    }

    /// The state letter and the parent of `pid`, from `/proc/PID/stat` (`pid (name) state ppid …`).
    private static func status(_ pid: pid_t) -> (state: Character, parent: pid_t)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let nameEnd = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 1, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return (state, parent)
    }
}

/// `kill(2)`, out of reach of ``PostgresTestCluster/kill()`` inside the class.
private func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}
