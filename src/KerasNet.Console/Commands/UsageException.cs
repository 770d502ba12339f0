#nullable enable
namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// Bad command-line arguments that the parser cannot see on its own (options that exclude or need each other):
/// the app prints the message on one line and exits with 2, as for a parse error.
/// </summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>A model predicted NaN for some samples (reported as class 'nan'; the command exits 1 after writing its results).</summary>
public sealed class NonFinitePredictionException(string message) : KerasNetException(message);
