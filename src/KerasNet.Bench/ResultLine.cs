#nullable enable
using System.Globalization;

namespace KerasNet.Bench;

/// <summary>
/// The machine-readable line every comparison mode prints, one per case, which <see cref="TableBench"/> collects:
/// <c>RESULT\t&lt;case&gt;\t&lt;kerasnet_ms&gt;\t&lt;peer&gt;\t&lt;peer_ms&gt;\t&lt;ratio&gt;</c> (ratio = KerasNet / peer;
/// "-" for the peer's fields when it did not run). Times in milliseconds, invariant culture.
/// </summary>
internal static class ResultLine
{
    public const string Prefix = "RESULT\t";

    /// <summary>Prints the line; <paramref name="peerMs"/> null (or <paramref name="peer"/> null) when no peer ran.</summary>
    public static void Print(string caseName, double kerasNetMs, string? peer, double? peerMs)
    {
        string ms = Format(kerasNetMs);
        if (peer is null || peerMs is not { } p || p <= 0) Console.WriteLine($"{Prefix}{caseName}\t{ms}\t-\t-\t-");
        else Console.WriteLine($"{Prefix}{caseName}\t{ms}\t{peer}\t{Format(p)}\t{(kerasNetMs / p).ToString("0.00", CultureInfo.InvariantCulture)}");
    }

    private static string Format(double ms) => ms.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Parses a line printed by <see cref="Print"/>; null when it is not one.</summary>
    public static Entry? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var f = line.TrimEnd('\r').Split('\t');
        if (f.Length != 6 || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double kn)) return null;
        double? peerMs = double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) ? p : null;
        return new Entry(f[1], kn, f[3] == "-" ? null : f[3], peerMs);
    }

    /// <summary>One parsed line.</summary>
    public sealed record Entry(string Case, double KerasNetMs, string? Peer, double? PeerMs)
    {
        /// <summary>KerasNet / peer, when the peer ran.</summary>
        public double? Ratio => PeerMs is { } p && p > 0 ? KerasNetMs / p : null;
    }
}
