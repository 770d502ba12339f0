#nullable enable
using System.Diagnostics;
using System.Globalization;
using System.Text;
using KerasNet.Utils;

namespace KerasNet.Models;

/// <summary>
/// Keras 2's progress bar text (tf.keras 2.4 generic_utils.Progbar). On a terminal the bar is redrawn in place;
/// otherwise only the final line of each epoch is written, which keeps logs readable.
/// </summary>
public sealed class Progbar
{
    private readonly int _verbose;
    private readonly string _unitName;
    private readonly TextWriter _out;
    private readonly bool _dynamic;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastWidth;
    private double _lastUpdate = double.NegativeInfinity;
    private double? _timeAfterFirstStep;

    /// <summary>Seconds since the bar was created (replaceable so tests can drive the timing text).</summary>
    internal Func<double> Now { get; set; }

    /// <summary>Creates a bar for <paramref name="target"/> steps (Keras's <c>Progbar(target, verbose, unit_name)</c>).</summary>
    /// <param name="target">The number of units at the end, or null when unknown (the bar then reads <c>   12/Unknown</c>
    /// until <see cref="Target"/> is set).</param>
    /// <param name="verbose">0: silent; 1: the bar; 2: only the final line, without a bar.</param>
    /// <param name="output">Where the text goes (default: the console).</param>
    /// <param name="dynamic">Redraw in place with <c>\r</c> (default: when writing to a console that is not redirected).</param>
    /// <param name="unitName">The unit in the time per unit (<c>60ms/step</c>); Keras's default <c>"step"</c>, <c>"sample"</c>
    /// for ProgbarLogger's samples count mode.</param>
    public Progbar(int? target, int verbose = 1, TextWriter? output = null, bool? dynamic = null, string unitName = "step")
    {
        if (target is < 0) throw new KerasNetException($"Progbar: target must be non-negative or null, got {target}.");
        ArgumentException.ThrowIfNullOrEmpty(unitName);
        Target = target; _verbose = verbose; _out = output ?? Console.Out; _unitName = unitName;
        _dynamic = dynamic ?? (output == null && !Console.IsOutputRedirected);
        Now = () => _clock.Elapsed.TotalSeconds;
    }

    /// <summary>The number of units at the end; null while unknown (ProgbarLogger sets it once an epoch has run).</summary>
    public int? Target { get; set; }

    /// <summary>Shows progress after <paramref name="current"/> steps with the running values.</summary>
    /// <param name="current">The steps done so far.</param>
    /// <param name="values">The running values to show (<c>loss</c>, metrics), in order.</param>
    /// <param name="finalize">Whether this is the last update of the bar (it then ends the line); default
    /// false.</param>
    public void Update(int current, IReadOnlyList<KeyValuePair<string, double>> values, bool finalize = false) =>
        Update(current, values, null, finalize);

    /// <summary>
    /// As <see cref="Update(int, IReadOnlyList{KeyValuePair{string, double}}, bool)"/>, asking for the values only
    /// when a line is drawn (a training step between two drawn lines allocates nothing).
    /// </summary>
    /// <param name="current">The steps done so far.</param>
    /// <param name="values">Gives the running values when a line is drawn.</param>
    /// <param name="finalize">Whether this is the last update of the bar; default false.</param>
    public void Update(int current, Func<IReadOnlyList<KeyValuePair<string, double>>> values, bool finalize = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        Update(current, null, values, finalize);
    }

    private void Update(int current, IReadOnlyList<KeyValuePair<string, double>>? values,
        Func<IReadOnlyList<KeyValuePair<string, double>>>? source, bool finalize)
    {
        if (_verbose == 0) return;
        double now = Now();
        if (current == 1) _timeAfterFirstStep = now;
        finalize |= current >= Target;
        DrawOrSkip(current, values, source, finalize, now);
    }

    /// <summary>
    /// A batch's update that never finalises, even at the target (Keras's ProgbarLogger passes <c>finalize=False</c>
    /// for every batch and finalises at the epoch's end, with the validation values).
    /// </summary>
    internal void UpdateRunning(int current, Func<IReadOnlyList<KeyValuePair<string, double>>> source)
    {
        if (_verbose == 0) return;
        double now = Now();
        if (current == 1) _timeAfterFirstStep = now;
        DrawOrSkip(current, null, source, finalize: false, now);
    }

    private void DrawOrSkip(int current, IReadOnlyList<KeyValuePair<string, double>>? values,
        Func<IReadOnlyList<KeyValuePair<string, double>>>? source, bool finalize, double now)
    {
        if (_verbose == 2)
        {
            if (finalize) { _out.WriteLine(FinalLine(current, values ?? source!(), now, withBar: false)); _out.Flush(); }
            return;
        }
        if (!finalize && (!_dynamic || now - _lastUpdate < 0.05)) return;
        _lastUpdate = now;
        values ??= source!();
        string line = finalize ? FinalLine(current, values, now, withBar: true) : RunningLine(current, values, now);
        if (_dynamic)
        {
            var pad = _lastWidth > line.Length ? new string(' ', _lastWidth - line.Length) : "";
            _out.Write("\r" + line + pad);
            _lastWidth = line.Length;
            if (finalize) _out.Write('\n');
        }
        else _out.WriteLine(line);
        _out.Flush();
    }

    /// <summary>
    /// The bar part: <c>27/27 [==============================]</c>; the head is <c>&gt;</c> while
    /// <paramref name="current"/> is below <paramref name="target"/>, even on a final update (an epoch stopped early).
    /// </summary>
    /// <param name="current">The steps done.</param>
    /// <param name="target">The total steps, positive.</param>
    /// <returns>The bar text.</returns>
    public static string Bar(int current, int target)
    {
        if (target <= 0) throw new KerasNetException($"Progbar.Bar: target must be positive, got {target}.");
        int digits = target.ToString(CultureInfo.InvariantCulture).Length;
        var sb = new StringBuilder();
        sb.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(digits)).Append('/').Append(target).Append(" [");
        int width = (int)(30.0 * current / target);
        if (width > 0)
        {
            sb.Append('=', width - 1);
            sb.Append(current < target ? '>' : '=');
        }
        sb.Append('.', 30 - width).Append(']');
        return sb.ToString();
    }

    // Keras's '%7d/Unknown' when the target is not known yet; a target of 0 (an epoch of no steps) reads the same
    // way, where Keras's log10(0) would fail.
    private string BarOrUnknown(int current) =>
        Target is int t and > 0 ? Bar(current, t) : current.ToString(CultureInfo.InvariantCulture).PadLeft(7) + "/Unknown";

    private string RunningLine(int current, IReadOnlyList<KeyValuePair<string, double>> values, double now)
    {
        double perStep = StepDuration(current, now);
        // With no target Keras shows the elapsed time and the time per unit, as on a final line.
        if (Target is not int target || target <= 0) return FinalLine(current, values, now, withBar: true);
        double eta = perStep * (target - current);
        string etaText = eta > 3600 ? $"{(int)eta / 3600}:{(int)eta % 3600 / 60:00}:{(int)eta % 60:00}"
            : eta > 60 ? $"{(int)eta / 60}:{(int)eta % 60:00}" : $"{(int)eta}s";
        return Bar(current, target) + " - ETA: " + etaText + Values(values);
    }

    private string FinalLine(int current, IReadOnlyList<KeyValuePair<string, double>> values, double now, bool withBar)
    {
        var sb = new StringBuilder();
        if (withBar) sb.Append(BarOrUnknown(current));
        else if (Target is int t and > 0) sb.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(t.ToString(CultureInfo.InvariantCulture).Length)).Append('/').Append(t);
        else sb.Append(current.ToString(CultureInfo.InvariantCulture)).Append("/Unknown");
        sb.Append(" - ").Append(Math.Round(now, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture)).Append('s');
        if (withBar) sb.Append(' ').Append(PerUnit(StepDuration(current, now), _unitName));
        sb.Append(Values(values, semiVerbose: !withBar));
        return sb.ToString();
    }

    // Keras 2.4's _estimate_step_duration: the first step (graph tracing there, buffer allocation here) is left out
    // of the per-step time once later steps exist.
    private double StepDuration(int current, double now)
    {
        if (current <= 0) return 0;
        if (_timeAfterFirstStep is double t1 && current > 1) return (now - t1) / (current - 1);
        return now / current;
    }

    /// <summary><c>60ms/step</c>, <c>2s/step</c> or <c>850us/step</c>, as Keras picks the unit.</summary>
    /// <param name="seconds">The time per step, in seconds.</param>
    /// <returns>The text.</returns>
    public static string PerStep(double seconds) => PerUnit(seconds, "step");

    /// <summary><c>60ms/sample</c>: <see cref="PerStep"/> with another unit name (Keras's <c>unit_name</c>).</summary>
    /// <param name="seconds">The time per unit, in seconds.</param>
    /// <param name="unitName">The unit (<c>step</c>, <c>sample</c>).</param>
    /// <returns>The text.</returns>
    public static string PerUnit(double seconds, string unitName)
    {
        if (seconds >= 1 || seconds == 0) return Math.Round(seconds, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "s/" + unitName;
        if (seconds >= 1e-3) return Math.Round(seconds * 1e3, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "ms/" + unitName;
        return Math.Round(seconds * 1e6, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "us/" + unitName;
    }

    /// <summary>
    /// <c> - loss: 0.6931 - accuracy: 0.5000</c>. Keras 2.4 uses <c>%.4e</c> when |v| &lt;= 1e-3 on the bar line, but
    /// when v &lt;= 1e-3 (so for every negative value) on the verbose=2 line; <paramref name="semiVerbose"/> picks that rule.
    /// </summary>
    /// <param name="values">The names and values.</param>
    /// <param name="semiVerbose">Whether the line is verbose=2's (the other exponent rule); default false.</param>
    /// <returns>The text.</returns>
    public static string Values(IReadOnlyList<KeyValuePair<string, double>> values, bool semiVerbose = false)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in values)
            sb.Append(" - ").Append(k).Append(": ").Append(semiVerbose && v <= 1e-3 ? Exponent(v) : FormatValue(v));
        return sb.ToString();
    }

    /// <summary>Python's <c>'%.4f'</c>, or <c>'%.4e'</c> when |v| &lt;= 1e-3.</summary>
    /// <param name="v">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatValue(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        return Math.Abs(v) > 1e-3 ? PyText.Fixed(v, 4) : Exponent(v);
    }


    // '%.4e': mantissa with four decimals, exponent with a sign and at least two digits ("1.0000e-04").
    private static string Exponent(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        var s = v.ToString("E4", CultureInfo.InvariantCulture); // "-1.2346E-004"
        int e = s.IndexOf('E');
        int exp = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..e] + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }
}
