#nullable enable
using System.Diagnostics.Tracing;

namespace KerasNet.Bench;

/// <summary>
/// <c>-- epoch --jit-log</c>: which methods the runtime compiles inside each measured epoch, at which tier, and how
/// long each took (from the runtime's own JIT events, listened to in process). It explains the slower first epochs:
/// the tiered recompiles run on the same two cores as the training. <c>JITLOG_FILTER=KerasNet</c> lists only the methods
/// whose full name starts so (every compilation is still counted).
/// </summary>
internal sealed class JitLog : EventListener
{
    // The runtime's provider, its JIT keyword, and the two events that bracket one method's compilation.
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const long JitKeyword = 0x10;
    private const int MethodJittingStarted = 145, MethodLoadVerbose = 143;

    private readonly object _gate = new();
    private readonly Dictionary<ulong, DateTime> _started = new();
    private List<(string Name, string Tier, double Ms)> _current = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == RuntimeProvider) EnableEvents(source, EventLevel.Verbose, (EventKeywords)JitKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.Payload is null) return;
        if (e.EventId == MethodJittingStarted)
        {
            lock (_gate) _started[Convert.ToUInt64(e.Payload[0])] = e.TimeStamp;
        }
        else if (e.EventId == MethodLoadVerbose)
        {
            ulong id = Convert.ToUInt64(e.Payload[0]);
            uint flags = Convert.ToUInt32(e.Payload[5]);
            string name = $"{e.Payload[6]}::{e.Payload[7]}";
            lock (_gate)
            {
                if (!_started.Remove(id, out var t0)) return; // not a compilation (a precompiled method loading)
                _current.Add((name, Tier((flags >> 7) & 7), (e.TimeStamp - t0).TotalMilliseconds));
            }
        }
    }

    // MethodFlags bits 7-9: the optimization tier (the runtime's event manifest).
    private static string Tier(uint t) => t switch
    {
        1 => "minopts", 2 => "optimized", 3 => "tier0", 4 => "tier1", 5 => "r2r", 6 => "tier1-osr", 7 => "tier0-instrumented",
        _ => "unknown",
    };

    /// <summary>Takes the compilations recorded since the last call.</summary>
    public List<(string Name, string Tier, double Ms)> Take()
    {
        lock (_gate)
        {
            var list = _current;
            _current = new();
            return list;
        }
    }

    /// <summary>
    /// Prints one epoch's compilations: count and time per tier, then the slowest <paramref name="top"/> methods
    /// (those whose full name starts with <paramref name="filter"/>, when given).
    /// </summary>
    public static void Print(string epoch, List<(string Name, string Tier, double Ms)> list, int top = 12, string? filter = null)
    {
        Console.WriteLine($"  {epoch}: {list.Count} methods compiled, {list.Sum(m => m.Ms):F0} ms (" +
            string.Join(", ", list.GroupBy(m => m.Tier).Select(g => $"{g.Key} {g.Count()}/{g.Sum(m => m.Ms):F0} ms")) + ")");
        foreach (var m in list.Where(m => filter is null || m.Name.StartsWith(filter, StringComparison.Ordinal)).OrderByDescending(m => m.Ms).Take(top))
            Console.WriteLine($"    {m.Ms,6:F1} ms  {m.Tier,-18} {m.Name}");
    }
}
