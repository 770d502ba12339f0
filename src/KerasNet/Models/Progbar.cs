#nullable enable
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace KerasNet.Models;

/// <summary>
/// Keras 2's progress bar text (tf.keras 2.4 generic_utils.Progbar). On a terminal the bar is redrawn in place;
/// otherwise only the final line of each epoch is written, which keeps logs readable.
/// </summary>
public sealed class Progbar
{
    private readonly int _target;
    private readonly int _verbose;
    private readonly TextWriter _out;
    private readonly bool _dynamic;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastWidth;
    private double _lastUpdate = double.NegativeInfinity;

    /// <summary>Creates a bar for <paramref name="target"/> steps.</summary>
    public Progbar(int target, int verbose = 1, TextWriter? output = null, bool? dynamic = null)
    {
        _target = target; _verbose = verbose; _out = output ?? Console.Out;
        _dynamic = dynamic ?? (output == null && !Console.IsOutputRedirected);
    }

    /// <summary>Shows progress after <paramref name="current"/> steps with the running values.</summary>
    public void Update(int current, IReadOnlyList<KeyValuePair<string, double>> values, bool finalize = false)
    {
        if (_verbose == 0) return;
        double now = _clock.Elapsed.TotalSeconds;
        finalize |= current >= _target;
        if (_verbose == 2)
        {
            if (finalize) _out.WriteLine(FinalLine(current, values, now, withBar: false));
            return;
        }
        if (!finalize && (!_dynamic || now - _lastUpdate < 0.05)) return;
        _lastUpdate = now;
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

    /// <summary>The bar part: <c>27/27 [==============================]</c>.</summary>
    public static string Bar(int current, int target, bool done)
    {
        int digits = target.ToString(CultureInfo.InvariantCulture).Length;
        var sb = new StringBuilder();
        sb.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(digits)).Append('/').Append(target).Append(" [");
        int width = (int)(30.0 * current / target);
        if (width > 0)
        {
            sb.Append('=', width - 1);
            sb.Append(current < target && !done ? '>' : '=');
        }
        sb.Append('.', 30 - width).Append(']');
        return sb.ToString();
    }

    private string RunningLine(int current, IReadOnlyList<KeyValuePair<string, double>> values, double now)
    {
        double perStep = current > 0 ? now / current : 0;
        double eta = perStep * (_target - current);
        string etaText = eta > 3600 ? $"{(int)eta / 3600}:{(int)eta % 3600 / 60:00}:{(int)eta % 60:00}"
            : eta > 60 ? $"{(int)eta / 60}:{(int)eta % 60:00}" : $"{(int)eta}s";
        return Bar(current, _target, false) + " - ETA: " + etaText + Values(values);
    }

    private string FinalLine(int current, IReadOnlyList<KeyValuePair<string, double>> values, double now, bool withBar)
    {
        var sb = new StringBuilder();
        if (withBar) sb.Append(Bar(current, _target, true));
        else sb.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(_target.ToString(CultureInfo.InvariantCulture).Length)).Append('/').Append(_target);
        sb.Append(" - ").Append(Math.Round(now, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture)).Append('s');
        if (withBar) sb.Append(' ').Append(PerStep(current > 0 ? now / current : 0));
        sb.Append(Values(values));
        return sb.ToString();
    }

    /// <summary><c>60ms/step</c>, <c>2s/step</c> or <c>850us/step</c>, as Keras picks the unit.</summary>
    public static string PerStep(double seconds)
    {
        if (seconds >= 1 || seconds == 0) return Math.Round(seconds, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "s/step";
        if (seconds >= 1e-3) return Math.Round(seconds * 1e3, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "ms/step";
        return Math.Round(seconds * 1e6, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture) + "us/step";
    }

    /// <summary><c> - loss: 0.6931 - accuracy: 0.5000</c> (<c>%.4e</c> for magnitudes at most 1e-3).</summary>
    public static string Values(IReadOnlyList<KeyValuePair<string, double>> values)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in values) sb.Append(" - ").Append(k).Append(": ").Append(FormatValue(v));
        return sb.ToString();
    }

    /// <summary>Python's <c>'%.4f'</c>, or <c>'%.4e'</c> when |v| &lt;= 1e-3.</summary>
    public static string FormatValue(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        if (Math.Abs(v) > 1e-3) return v.ToString("F4", CultureInfo.InvariantCulture);
        return v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }
}
