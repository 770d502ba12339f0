#nullable enable
namespace KerasNet;

/// <summary>
/// The base of every user-facing KerasNet failure. Messages name the file, layer or argument and the problem,
/// so the console app can print them without a stack trace.
/// </summary>
public class KerasNetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KerasNetException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A model, layer or shape does not fit what was asked (wrong input shape, weights of another architecture).</summary>
public class ShapeMismatchException : KerasNetException
{
    /// <summary>Creates the exception.</summary>
    public ShapeMismatchException(string message) : base(message) { }
}

/// <summary>Training produced a NaN or infinite loss.</summary>
public class NonFiniteLossException : KerasNetException
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteLossException(string message) : base(message) { }
}
