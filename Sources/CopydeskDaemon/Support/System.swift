#if canImport(Glibc)
internal import Glibc
#endif

/// Facts about the machine.
public enum System {
    /// The number of cores this process may run on.
    public static var coreCount: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
