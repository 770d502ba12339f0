#nullable enable
using System.Runtime.InteropServices;

namespace KerasNet.Saving;

/// <summary>
/// The check every reader of a user-named file makes before opening it: the path must be an existing regular file.
/// Opening a FIFO (named pipe) for reading blocks until some other process writes to it, and a device (<c>/dev/zero</c>)
/// never ends, so such paths are refused at once instead of hanging the caller.
/// </summary>
internal static partial class RegularFile
{
    /// <summary>
    /// Why <paramref name="path"/> cannot be read as a file ("file not found.", "is a folder, not a file.", "is a named
    /// pipe (FIFO), not a regular file."...), or null when it is a regular file. Symbolic links are followed.
    /// </summary>
    public static string? Problem(string path)
    {
        if (Directory.Exists(path)) return "is a folder, not a file.";
        if (!File.Exists(path)) return "file not found.";
        if (TypeOf(path) is { } kind) return kind == Kind.Regular ? null : $"is {Describe(kind)}, not a regular file.";
        // No statx (not Linux): a pipe or device reports length 0, and so does a file no reader could use anyway.
        return new FileInfo(path).Length == 0 ? "is empty (0 bytes), or a pipe or device rather than a regular file." : null;
    }

    /// <summary>Throws an <see cref="InvalidModelFileException"/> unless <paramref name="path"/> is a regular file.</summary>
    internal static void RequireModelFile(string path)
    {
        if (Problem(path) is { } problem) throw new InvalidModelFileException(path, problem);
    }

    /// <summary>Throws a <see cref="KerasNetException"/> ("path: problem") unless <paramref name="path"/> is a regular file.</summary>
    public static void Require(string path)
    {
        if (Problem(path) is { } problem) throw new KerasNetException($"{path}: {problem}");
    }

    private enum Kind { Regular, Directory, Fifo, CharDevice, BlockDevice, Socket, Other }

    private static string Describe(Kind k) => k switch
    {
        Kind.Fifo => "a named pipe (FIFO)",
        Kind.CharDevice => "a character device",
        Kind.BlockDevice => "a block device",
        Kind.Socket => "a socket",
        Kind.Directory => "a folder",
        _ => "a special file",
    };

    private static bool _noStatx;

    // statx(2) has one layout on every Linux architecture (unlike struct stat): stx_mode is the u16 at offset 28.
    private static Kind? TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _noStatx)) return null;
        const int AtFdCwd = -100, StatxType = 0x1, ModeOffset = 28;
        Span<byte> buf = stackalloc byte[256];
        int rc;
        try
        {
            unsafe
            {
                fixed (byte* p = buf) rc = Statx(AtFdCwd, path, 0, StatxType, p);
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _noStatx, true);
            return null;
        }
        if (rc != 0) return null;
        int mode = BitConverter.ToUInt16(buf.Slice(ModeOffset, 2));
        return (mode & 0xF000) switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0x1000 => Kind.Fifo,
            0x2000 => Kind.CharDevice,
            0x6000 => Kind.BlockDevice,
            0xC000 => Kind.Socket,
            _ => Kind.Other,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
