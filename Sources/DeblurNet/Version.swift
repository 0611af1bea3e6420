public enum DeblurNetVersion { public static let string = "0.1.0" }
