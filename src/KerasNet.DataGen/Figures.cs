#nullable enable
namespace KerasNet.DataGen;

/// <summary>How much of a figure is drawn.</summary>
internal enum Framing { Head, Bust, Full }

/// <summary>
/// Two cartoon characters in the spirit of the tutorial's classes, drawn in local units (the head spans y = -1..1):
/// "homer" is bald with two hair strands, a round head, a brown stubble muzzle and a white shirt; "bart" has a
/// flat-topped spiky head, no stubble and an orange-red shirt. Both have the same yellow skin, white eyes and blue
/// trousers, and the colours, proportions and outfits vary (sometimes a shirt of the other's colour), so the
/// network has to look at shapes, not just at one colour.
/// </summary>
internal sealed class Figures(Random rng)
{
    private static readonly Rgb Skin = new(255, 217, 15);
    private static readonly Rgb Stubble = new(209, 178, 112);
    private static readonly Rgb Trousers = new(60, 100, 200);

    /// <summary>The local bounding box (x0, y0, x1, y1) of a framing, for placing the figure.</summary>
    public static (double X0, double Y0, double X1, double Y1) Bounds(Framing f) => f switch
    {
        Framing.Head => (-1.2, -1.5, 1.2, 1.3),
        Framing.Bust => (-1.8, -1.5, 1.8, 3.3),
        _ => (-1.8, -1.5, 1.8, 6.0),
    };

    public void Draw(Canvas canvas, Pose pose, bool homer, Framing framing)
    {
        var p = new Painter(canvas, pose, Math.Max(1.0, pose.Scale * 0.07));
        var skin = Skin.Jitter(rng, 12);
        if (framing != Framing.Head) Body(p, homer, framing, skin);
        if (homer) HomerHead(p, skin); else BartHead(p, skin);
    }

    private void Body(Painter p, bool homer, Framing framing, Rgb skin)
    {
        bool swapShirt = rng.NextDouble() < 0.05;
        var shirt = (homer != swapShirt ? new Rgb(245, 245, 245) : new Rgb(240, 90, 30)).Jitter(rng, 15);
        double w = homer ? 1.55 : 1.1;
        if (framing == Framing.Full)
        {
            double legW = homer ? 0.55 : 0.35, hem = homer ? 5.6 : 4.6;
            p.Fill(Shapes.Rect(-w * 0.85, 3.4, w * 0.85, 4.2), Trousers.Jitter(rng, 10));
            p.Fill(Shapes.Rect(-w * 0.75, 4.1, -w * 0.75 + legW * 2, hem), homer ? Trousers : skin);
            p.Fill(Shapes.Rect(w * 0.75 - legW * 2, 4.1, w * 0.75, hem), homer ? Trousers : skin);
            p.Fill(Shapes.Ellipse(-w * 0.5, hem + 0.2, 0.5, 0.22), new Rgb(40, 40, 40));
            p.Fill(Shapes.Ellipse(w * 0.5, hem + 0.2, 0.5, 0.22), new Rgb(40, 40, 40));
        }
        // arms, then the torso over them
        p.Fill(Shapes.Ellipse(-w - 0.15, 2.3, 0.3, 0.9, 0.3), homer ? shirt : skin);
        p.Fill(Shapes.Ellipse(w + 0.15, 2.3, 0.3, 0.9, -0.3), homer ? shirt : skin);
        if (homer) p.Fill(Shapes.Ellipse(0, 2.4, w, 1.3), shirt);
        else p.Fill([(-w, 1.0), (w, 1.0), (w * 1.05, 3.5), (-w * 1.05, 3.5)], shirt);
        p.Fill(Shapes.Ellipse(0, 1.05, 0.35, 0.2), skin); // neck
    }

    private void HomerHead(Painter p, Rgb skin)
    {
        double rx = 0.85 + rng.NextDouble() * 0.12, ry = 1.05 + rng.NextDouble() * 0.1;
        p.Fill(Shapes.Ellipse(0.72, 0.15, 0.18, 0.24), skin);
        p.Fill(Shapes.Ellipse(0, 0, rx, ry), skin);
        p.Fill(Shapes.Ellipse(0.12, 0.62, 0.72, 0.42), Stubble.Jitter(rng, 12));
        p.Line([(-0.25, 0.72), (0.1, 0.78), (0.45, 0.68)], 0.07, Rgb.Black);
        p.Fill(Shapes.Ellipse(0.2, 0.22, 0.28, 0.17, 0.2), skin);
        Eyes(p, -0.28, -0.28);
        // the two famous strands and the zigzag above the ear
        p.Line(Shapes.Arc(-0.15, -1.1, 0.25, Math.PI, 2 * Math.PI), 0.05, Rgb.Black);
        p.Line(Shapes.Arc(0.2, -1.08, 0.25, Math.PI, 2 * Math.PI), 0.05, Rgb.Black);
        p.Line([(0.55, -0.4), (0.65, -0.55), (0.72, -0.35), (0.8, -0.52), (0.86, -0.3)], 0.05, Rgb.Black);
    }

    private void BartHead(Painter p, Rgb skin)
    {
        double w = 0.8 + rng.NextDouble() * 0.12, top = -0.75 - rng.NextDouble() * 0.1;
        int spikes = 8 + rng.Next(3);
        double spikeH = 0.3 + rng.NextDouble() * 0.15;
        var head = new List<(double X, double Y)> { (-w, 0.9), (-w, top) };
        for (int i = 0; i < spikes; i++)
        {
            double x0 = -w + 2 * w * i / spikes, x1 = -w + 2 * w * (i + 1) / spikes;
            head.Add(((x0 + x1) / 2, top - spikeH));
            head.Add((x1, top));
        }
        head.Add((w, 0.6));
        head.AddRange(Shapes.Arc(0.05, 0.6, w * 0.95, 0, Math.PI * 0.95, 8).Skip(1));
        p.Fill(Shapes.Ellipse(w - 0.05, 0.15, 0.17, 0.22), skin);
        p.Fill(head, skin);
        p.Line([(-0.2, 0.72), (0.15, 0.8), (0.45, 0.66)], 0.07, Rgb.Black);
        p.Fill(Shapes.Ellipse(0.22, 0.2, 0.26, 0.16, 0.2), skin);
        Eyes(p, -0.25, -0.35);
    }

    private void Eyes(Painter p, double x, double y)
    {
        double r = 0.26 + rng.NextDouble() * 0.06, look = (rng.NextDouble() - 0.5) * 0.12;
        foreach (var ex in new[] { x, x + 0.55 })
        {
            p.Fill(Shapes.Ellipse(ex, y, r, r), Rgb.White);
            p.Fill(Shapes.Ellipse(ex + look, y, 0.07, 0.07), Rgb.Black, outline: false);
        }
    }

    /// <summary>Draws local-unit shapes through the pose, with a black cartoon outline.</summary>
    private sealed class Painter(Canvas canvas, Pose pose, double outline)
    {
        public void Fill(List<(double X, double Y)> local, Rgb c, bool outline = true)
        {
            var pts = pose.Map(local);
            canvas.FillPolygon(pts, c);
            if (outline) canvas.Stroke(pts, this.Outline, Rgb.Black, closed: true);
        }

        private double Outline => outline;

        public void Line(List<(double X, double Y)> local, double width, Rgb c) => canvas.Stroke(pose.Map(local), Math.Max(1, width * pose.Scale), c);
    }
}
