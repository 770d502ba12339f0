#nullable enable
namespace KerasNet;

// The family is small on purpose: callers catch KerasNetException to report any user-facing failure, and the
// subclasses exist where a caller can act differently (skip a bad file, rebuild a model, lower a learning rate).
// Bad images throw KerasNet.Preprocessing.Image.InvalidImageException, which lives beside its decoder.

/// <summary>
/// The base of every user-facing KerasNet failure. Messages name the file, layer or argument and the problem,
/// so the console app can print them without a stack trace.
/// </summary>
public class KerasNetException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The error message, naming the argument, file or layer at fault.</param>
    /// <param name="inner">The exception that caused this one, or null.</param>
    public KerasNetException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A model, layer or shape does not fit what was asked (wrong input shape, weights of another architecture).</summary>
public class ShapeMismatchException : KerasNetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The error message, naming the argument, file or layer at fault.</param>
    public ShapeMismatchException(string message) : base(message) { }
}

/// <summary>A tensor (a layer's weight or output) would need a negative dimension or more values than a tensor can hold.</summary>
public class TensorSizeException : ShapeMismatchException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The error message, naming the argument, file or layer at fault.</param>
    public TensorSizeException(string message) : base(message) { }
}

/// <summary>Training produced a NaN or infinite loss.</summary>
public class NonFiniteLossException : KerasNetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The error message, naming the argument, file or layer at fault.</param>
    public NonFiniteLossException(string message) : base(message) { }
}

/// <summary>
/// A model or weights file that cannot be read: missing, not HDF5 or zip, truncated, corrupt, declaring sizes the
/// file cannot hold, or a <c>.keras</c> archive with missing or unsafe entries.
/// </summary>
public class InvalidModelFileException : KerasNetException
{
    /// <summary>Creates the exception; the message is "<paramref name="path"/>: <paramref name="problem"/>".</summary>
    /// <param name="path">The file at fault, the start of the message.</param>
    /// <param name="problem">What is wrong, the second part of the message.</param>
    /// <param name="inner">The exception that caused this one, or null.</param>
    public InvalidModelFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => FilePath = path;

    /// <summary>The file that failed (for an archive member: <c>archive.keras!member</c>).</summary>
    public string FilePath { get; }
}

/// <summary>A model config (to_json text, <c>model_config</c>, <c>config.json</c>) that names an unknown layer class, lacks a field or holds a bad value.</summary>
public class ModelConfigException : KerasNetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The error message, naming the argument, file or layer at fault.</param>
    /// <param name="inner">The exception that caused this one, or null.</param>
    public ModelConfigException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A flow_from_directory data folder that is missing, empty, has no class subfolders or a class without images.</summary>
public class DataFolderException : KerasNetException
{
    /// <summary>Creates the exception for <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder that failed (<see cref="DataFolderException.FolderPath"/>).</param>
    /// <param name="message">The error message, naming the argument, file or layer at fault.</param>
    public DataFolderException(string folder, string message) : base(message) => FolderPath = folder;

    /// <summary>The folder that failed.</summary>
    public string FolderPath { get; }
}
