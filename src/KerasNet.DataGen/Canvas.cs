#nullable enable
namespace KerasNet.DataGen;

/// <summary>An 8-bit RGB colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Black => new(0, 0, 0);
    public static Rgb White => new(255, 255, 255);

    /// <summary>The colour with each channel moved by up to <paramref name="amount"/> levels.</summary>
    public Rgb Jitter(Random rng, int amount)
    {
        byte J(byte v) => (byte)Math.Clamp(v + rng.Next(-amount, amount + 1), 0, 255);
        return new Rgb(J(R), J(G), J(B));
    }
}

/// <summary>
/// A minimal raster: filled polygons (even-odd scanline at pixel centres), polygon-approximated ellipses and thick
/// polylines, all drawn through an affine <see cref="Pose"/> so a figure can be placed, scaled, rotated and mirrored.
/// </summary>
internal sealed class Canvas(int width, int height)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Pixels { get; } = new byte[width * height * 3];

    public void Clear(Rgb c)
    {
        for (int i = 0; i < Pixels.Length; i += 3) { Pixels[i] = c.R; Pixels[i + 1] = c.G; Pixels[i + 2] = c.B; }
    }

    public void FillPolygon(IReadOnlyList<(double X, double Y)> pts, Rgb c)
    {
        if (pts.Count < 3) return;
        double minY = pts.Min(p => p.Y), maxY = pts.Max(p => p.Y);
        int y0 = Math.Max(0, (int)Math.Floor(minY)), y1 = Math.Min(Height - 1, (int)Math.Ceiling(maxY));
        var xs = new List<double>();
        for (int y = y0; y <= y1; y++)
        {
            double sy = y + 0.5;
            xs.Clear();
            for (int i = 0; i < pts.Count; i++)
            {
                var (ax, ay) = pts[i];
                var (bx, by) = pts[(i + 1) % pts.Count];
                if ((ay <= sy && by > sy) || (by <= sy && ay > sy)) xs.Add(ax + (sy - ay) / (by - ay) * (bx - ax));
            }
            xs.Sort();
            for (int k = 0; k + 1 < xs.Count; k += 2)
            {
                int xa = Math.Max(0, (int)Math.Ceiling(xs[k] - 0.5)), xb = Math.Min(Width - 1, (int)Math.Floor(xs[k + 1] - 0.5));
                for (int x = xa; x <= xb; x++)
                {
                    int o = (y * Width + x) * 3;
                    Pixels[o] = c.R; Pixels[o + 1] = c.G; Pixels[o + 2] = c.B;
                }
            }
        }
    }

    /// <summary>A thick polyline: one quad per segment plus a round joint at every point.</summary>
    public void Stroke(IReadOnlyList<(double X, double Y)> pts, double thickness, Rgb c, bool closed = false)
    {
        double r = Math.Max(0.5, thickness / 2);
        int n = closed ? pts.Count : pts.Count - 1;
        for (int i = 0; i < n; i++)
        {
            var (ax, ay) = pts[i];
            var (bx, by) = pts[(i + 1) % pts.Count];
            double dx = bx - ax, dy = by - ay, len = Math.Sqrt(dx * dx + dy * dy);
            if (len < 1e-9) continue;
            double nx = -dy / len * r, ny = dx / len * r;
            FillPolygon([(ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny)], c);
        }
        if (r >= 1)
            foreach (var (x, y) in pts) FillPolygon(Shapes.Ellipse(x, y, r, r, 0, 10), c);
    }
}

/// <summary>Point lists for the primitive shapes.</summary>
internal static class Shapes
{
    public static List<(double X, double Y)> Ellipse(double cx, double cy, double rx, double ry, double angle = 0, int segments = 36)
    {
        var pts = new List<(double, double)>(segments);
        double ca = Math.Cos(angle), sa = Math.Sin(angle);
        for (int i = 0; i < segments; i++)
        {
            double t = 2 * Math.PI * i / segments, x = rx * Math.Cos(t), y = ry * Math.Sin(t);
            pts.Add((cx + x * ca - y * sa, cy + x * sa + y * ca));
        }
        return pts;
    }

    public static List<(double X, double Y)> Rect(double x0, double y0, double x1, double y1) => [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];

    /// <summary>A circular arc from angle a0 to a1 (radians, y down).</summary>
    public static List<(double X, double Y)> Arc(double cx, double cy, double r, double a0, double a1, int segments = 12)
    {
        var pts = new List<(double, double)>();
        for (int i = 0; i <= segments; i++)
        {
            double t = a0 + (a1 - a0) * i / segments;
            pts.Add((cx + r * Math.Cos(t), cy + r * Math.Sin(t)));
        }
        return pts;
    }
}

/// <summary>Maps a figure's local units to canvas pixels: mirror, scale, rotate, translate.</summary>
internal sealed class Pose(double scale, double angle, double tx, double ty, bool mirror)
{
    private readonly double _c = Math.Cos(angle), _s = Math.Sin(angle);

    public double Scale { get; } = scale;

    public (double X, double Y) Map((double X, double Y) p)
    {
        double x = (mirror ? -p.X : p.X) * Scale, y = p.Y * Scale;
        return (tx + x * _c - y * _s, ty + x * _s + y * _c);
    }

    public List<(double X, double Y)> Map(IEnumerable<(double X, double Y)> pts) => pts.Select(Map).ToList();
}
