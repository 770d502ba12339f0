#nullable enable
namespace KerasNet.DataGen;

/// <summary>
/// Composes one picture: a strip-shaped canvas in a random colour (white in 15%), background clutter, the class's character
/// at a random framing, size, place, tilt and facing, sometimes a small character of the other class, and a little
/// clutter in front. The sizes keep the committed dataset small: widths 128-608 (mostly near 128, half of them odd),
/// heights 32-48.
/// </summary>
internal static class Scene
{
    private static readonly Rgb[] ClutterColours =
    [
        new(255, 217, 15), new(240, 90, 30), new(60, 100, 200), new(70, 160, 70), new(150, 150, 150),
        new(140, 90, 50), new(230, 230, 230), new(200, 40, 40), new(250, 180, 200), new(20, 20, 20),
    ];

    public static Canvas Draw(Random rng, bool homer)
    {
        int width = 128 + (int)(480 * Math.Pow(rng.NextDouble(), 12));
        if (rng.NextDouble() < 0.5) width |= 1; else width &= ~1;
        int height = 32 + rng.Next(17);
        var canvas = new Canvas(width, height);
        // A coloured background in most pictures, as in the tutorial's photos: on a white strip every input is near 1 and
        // the first layers' features barely differ between pictures, which left some seeds' networks at chance.
        canvas.Clear(rng.NextDouble() < 0.15 ? Rgb.White
            : new Rgb((byte)rng.Next(40, 230), (byte)rng.Next(40, 230), (byte)rng.Next(40, 230)));
        Clutter(canvas, rng, rng.Next(1, 7), 0.15, 0.6);

        var figures = new Figures(rng);
        var framing = rng.NextDouble() switch { < 0.45 => Framing.Head, < 0.8 => Framing.Bust, _ => Framing.Full };
        var pose = Place(rng, canvas, framing, rng.NextDouble() * 0.3 + 0.7);
        if (rng.NextDouble() < 0.03)
        {
            // a small character of the other class somewhere else in the picture
            var other = Place(rng, canvas, Framing.Head, 0.35);
            figures.Draw(canvas, other, !homer, Framing.Head);
        }
        figures.Draw(canvas, pose, homer, framing);
        Clutter(canvas, rng, rng.Next(0, 3), 0.08, 0.25);
        return canvas;
    }

    private static Pose Place(Random rng, Canvas canvas, Framing framing, double fill)
    {
        var (x0, y0, x1, y1) = Figures.Bounds(framing);
        double scale = canvas.Height * fill / (y1 - y0);
        double halfW = (x1 - x0) / 2 * scale;
        double cx = halfW + rng.NextDouble() * Math.Max(1, canvas.Width - 2 * halfW);
        double top = (canvas.Height - (y1 - y0) * scale) * rng.NextDouble();
        return new Pose(scale, (rng.NextDouble() - 0.5) * 0.6, cx, top - y0 * scale, rng.NextDouble() < 0.5);
    }

    private static void Clutter(Canvas canvas, Random rng, int count, double minSize, double maxSize)
    {
        for (int i = 0; i < count; i++)
        {
            var c = ClutterColours[rng.Next(ClutterColours.Length)].Jitter(rng, 20);
            double x = rng.NextDouble() * canvas.Width, y = rng.NextDouble() * canvas.Height;
            double s = canvas.Height * (minSize + rng.NextDouble() * (maxSize - minSize));
            switch (rng.Next(3))
            {
                case 0: canvas.FillPolygon(Shapes.Ellipse(x, y, s, s * (0.4 + rng.NextDouble()), rng.NextDouble() * Math.PI), c); break;
                case 1: canvas.FillPolygon(Shapes.Rect(x, y, x + s * (0.5 + rng.NextDouble() * 2), y + s), c); break;
                default:
                    canvas.Stroke([(x, y), (x + (rng.NextDouble() - 0.5) * 4 * s, y + (rng.NextDouble() - 0.5) * 2 * s)], 1 + rng.NextDouble() * 2, c);
                    break;
            }
        }
    }
}
