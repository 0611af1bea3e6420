public enum RestorationVersion { public static let string = "0.1.0" }
