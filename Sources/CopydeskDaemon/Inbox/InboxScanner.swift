#if canImport(Glibc)
internal import Glibc
#endif

/// Lists the files waiting in the Inbox, subfolders included.
public enum InboxScanner {
    /// Suffixes of files still being written by another program.
    static let temporarySuffixes = [".tmp", ".part", ".crdownload", ".swp", ".swx", ".partial", ".download", "~"]
    /// Files that operating systems and NAS boxes leave in shared folders.
    static let junkNames: Set<String> = ["Thumbs.db", "desktop.ini", "@eaDir", "#recycle", "lost+found"]

    /// Whether copydesk leaves a file of this name alone: hidden files, temporary names, OS junk.
    public static func isIgnored(name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("~$") || junkNames.contains(name) { return true }
        let lowered = name.lowercased()
        return temporarySuffixes.contains { lowered.hasSuffix($0) }
    }

    /// Every entry to take under `inbox` (regular files and anything that is not a folder, which is
    /// taken to be rejected), as paths relative to `inbox`, sorted by name.
    public static func scan(_ inbox: String) -> [String] {
        var found = [String]()
        walk(inbox, relative: "", into: &found)
        return found.sorted()
    }

    private static func walk(_ directory: String, relative: String, into found: inout [String]) {
        for entry in Directory.entries(directory) where !isIgnored(name: entry.name) {
            let path = "\(directory)/\(entry.name)"
            let relativePath = relative.isEmpty ? entry.name : "\(relative)/\(entry.name)"
            // d_type says whether it is a folder without a stat; where it is unknown (some network
            // file systems), lstat decides, never following links.
            var isDirectory = entry.isDirectory
            if !entry.typeKnown {
                guard let status = FileName.linkStatus(path) else { continue }
                isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory {
                walk(path, relative: relativePath, into: &found)
            } else {
                found.append(relativePath)
            }
        }
    }
}
