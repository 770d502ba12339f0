#nullable enable
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KerasNet.Bench;

/// <summary>
/// <c>-- table [--quick] [--no-torch] [--modes a,b,...]</c>: runs the comparison modes as child processes of this
/// built bench (<c>dotnet KerasNet.Bench.dll MODE</c>), once as configured (AVX-512 where the machine has it) and
/// once with <c>DOTNET_EnableAVX512=0</c> (the AVX2 path every AVX2 machine takes), collects the
/// <see cref="ResultLine"/>s they print, and prints one Markdown table: the README's speed table. A mode this build
/// does not have is skipped with a note.
/// </summary>
internal static class TableBench
{
    /// <summary>The comparison modes, in table order (infer: vs ONNX Runtime; train, epoch: vs PyTorch; startup: the CLI).</summary>
    private static readonly string[] DefaultModes = ["infer", "train", "epoch", "mobilenet", "startup"];

    public static int Run(string[] args)
    {
        int mi = Array.IndexOf(args, "--modes");
        string[] modes = mi >= 0 && mi + 1 < args.Length ? args[mi + 1].Split(',', StringSplitOptions.RemoveEmptyEntries) : DefaultModes;
        var pass = args.Where(a => a is "--quick" or "--no-torch").ToArray();
        string bench = typeof(TableBench).Assembly.Location;
        var wide = new List<ResultLine.Entry>();
        var narrow = new List<ResultLine.Entry>();
        var notes = new List<string>();
        foreach (string mode in modes)
        {
            if (!RunChild(bench, mode, pass, avx512: true, wide, notes)) continue;
            RunChild(bench, mode, pass, avx512: false, narrow, notes);
        }
        Console.WriteLine();
        Console.Write(Markdown(wide, narrow));
        foreach (string n in notes) Console.WriteLine($"- {n}");
        return 0;
    }

    /// <summary>One child run; false when the mode does not exist in this build (noted, not an error).</summary>
    private static bool RunChild(string bench, string mode, string[] pass, bool avx512, List<ResultLine.Entry> into, List<string> notes)
    {
        string path = avx512 ? "as configured" : "DOTNET_EnableAVX512=0";
        Console.WriteLine($"== {mode} ({path})");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(bench);
        psi.ArgumentList.Add(mode);
        foreach (string a in pass) psi.ArgumentList.Add(a);
        if (!avx512) psi.Environment["DOTNET_EnableAVX512"] = "0";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var err = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (err) err.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        int found = 0;
        while (p.StandardOutput.ReadLine() is { } line)
        {
            if (ResultLine.Parse(line) is { } entry) { into.Add(entry); found++; }
            else Console.WriteLine("   " + line);
        }
        p.WaitForExit();
        string error = err.ToString();
        if (p.ExitCode == 2 && error.Contains("Unknown mode", StringComparison.Ordinal))
        {
            notes.Add($"mode `{mode}`: not in this build, skipped.");
            return false;
        }
        if (p.ExitCode != 0) notes.Add($"mode `{mode}` ({path}) exited with {p.ExitCode}: {error.Trim().Split('\n').LastOrDefault()}");
        else if (found == 0) notes.Add($"mode `{mode}` ({path}) printed no RESULT lines.");
        return true;
    }

    /// <summary>The table: one row per case, in the order the cases first appeared.</summary>
    internal static string Markdown(IReadOnlyList<ResultLine.Entry> wide, IReadOnlyList<ResultLine.Entry> narrow)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| case | KerasNet AVX-512 (ms) | peer (ms) | ratio | KerasNet AVX2 path (ms) | ratio | AVX2 / AVX-512 |");
        sb.AppendLine("|---|---:|---|---:|---:|---:|---:|");
        var cases = wide.Select(e => e.Case).Concat(narrow.Select(e => e.Case)).Distinct();
        foreach (string c in cases)
        {
            var w = wide.LastOrDefault(e => e.Case == c);
            var n = narrow.LastOrDefault(e => e.Case == c);
            var peer = w?.Peer is not null ? w : n;
            string peerCell = peer?.Peer is null ? "-" : $"{peer.Peer} {Ms(peer.PeerMs)}";
            string slow = w is not null && n is not null && w.KerasNetMs > 0 ? $"{Num(n.KerasNetMs / w.KerasNetMs)}x" : "-";
            sb.AppendLine($"| {c} | {Ms(w?.KerasNetMs)} | {peerCell} | {Num(w?.Ratio)} | {Ms(n?.KerasNetMs)} | {Num(n?.Ratio)} | {slow} |");
        }
        return sb.ToString();
    }

    private static string Ms(double? v) => v is { } x ? x.ToString(x >= 100 ? "0" : x >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) : "-";

    private static string Num(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
