#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>An image file that cannot be read: missing, corrupt, truncated, of an unsupported format, empty or too large.</summary>
public sealed class InvalidImageException : KerasNetException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    /// <param name="path">The image file (or name) at fault.</param>
    /// <param name="problem">What is wrong, the second part of the message.</param>
    /// <param name="inner">The exception that caused this one, or null.</param>
    public InvalidImageException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => FilePath = path;

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }
}
