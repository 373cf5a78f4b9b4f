import RealmGit
import RealmSupport

/// git config as RealmCLI needs it, without reaching RealmGit itself.
public enum Settings {
    /// The colour settings, in git's precedence: `color.realm`, then `color.ui`.
    public static let colourKeys = [ConfigKey.colorRealm, ConfigKey.colorUI]

    /// The network timeouts (`realm.connectTimeout`, `realm.inactivityTimeout`, `realm.timeout`)
    /// with their defaults in whole seconds, for help texts.
    public static var networkTimeouts: [(key: String, seconds: Int)] {
        NetworkPolicy.keys.map { ($0.key, Int($0.fallback)) }
    }

    /// A config value from this directory's repository (every level, `git -c`), or from the
    /// user's config outside one.
    public static func value(_ key: String) -> String? {
        if let repository = try? Repository.discover(from: currentDirectory()) {
            return (try? repository.configString(key)).flatMap { $0 }
        }
        return (try? Repository.userConfigString(key)).flatMap { $0 }
    }
}
