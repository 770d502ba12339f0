#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>An image file that cannot be read: missing, corrupt, truncated, of an unsupported format, empty or too large.</summary>
public sealed class InvalidImageException : KerasNetException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public InvalidImageException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => FilePath = path;

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }
}
