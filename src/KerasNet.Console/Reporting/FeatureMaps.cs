#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using ScottPlot;

namespace KerasNet.ConsoleApp.Reporting;

/// <summary>
/// The tutorial's feature-map visualisation: the activations of a model's Conv2D layers (or of named layers) for one
/// image, read with a Functional model over the trained network's own layers, as in Keras:
/// <c>Model(inputs=network.inputs, outputs=[layer.output for layer in layers]).predict(image)</c>. Each layer's maps
/// are drawn as a grid of grey tiles, one per channel, each min-max normalised as matplotlib's <c>imshow</c> does.
/// </summary>
public static class FeatureMaps
{
    /// <summary>The layers drawn by default: every Conv2D layer, in <see cref="Model.Layers"/> order.</summary>
    public static IReadOnlyList<Layer> DefaultLayers(Model model)
    {
        var convs = FeatureMapProbe.Conv2DLayers(model);
        if (convs.Count == 0)
            throw new KerasNetException($"Model '{model.Name}' has no Conv2D layer; name the layers to draw with --layers NAME ...");
        return convs;
    }

    /// <summary>The named layers (each once, in the order given), each checked to output feature maps (H, W, C).</summary>
    public static IReadOnlyList<Layer> NamedLayers(Model model, IEnumerable<string> names) => FeatureMapProbe.NamedLayers(model, names);

    /// <summary>
    /// The activations of <paramref name="layers"/> for <paramref name="image"/> (a batch of one): one predict of the
    /// Functional model from the network's inputs to the layers' outputs (<see cref="FeatureMapProbe"/>). Each result
    /// is (1, H, W, C).
    /// </summary>
    public static IReadOnlyList<(Layer Layer, Tensor Maps)> Compute(Model model, IReadOnlyList<Layer> layers, Tensor image)
    {
        var probe = new FeatureMapProbe(model, layers);
        var maps = probe.Compute(image);
        return probe.Layers.Select((l, i) => (l, maps[i])).ToList();
    }

    /// <summary>
    /// Writes <c>DIR/&lt;layer&gt;.png</c> for each layer (and <c>DIR/&lt;layer&gt;.npy</c>, float32 (1, H, W, C), when
    /// <paramref name="npy"/>); returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<(Layer Layer, Tensor Maps)> maps, bool npy)
    {
        var written = new List<string>();
        foreach (var (layer, t) in maps)
        {
            string stem = Path.Combine(dir, FileName(layer.Name));
            DrawGrid(stem + ".png", $"{layer.Name} {ShapeUtil.Format(t.Shape)}", t);
            written.Add(stem + ".png");
            if (npy)
            {
                Npy.Save(stem + ".npy", t);
                written.Add(stem + ".npy");
            }
        }
        return written;
    }

    /// <summary>A layer name as a file name (Keras names are safe already; anything else becomes '_').</summary>
    public static string FileName(string layerName)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var s = new string(layerName.Select(c => invalid.Contains(c) || c is '/' or '\\' or ':' ? '_' : c).ToArray());
        return s is "" or "." or ".." ? "_" + s : s;
    }

    /// <summary>
    /// Where each tile goes in a grid of <paramref name="Channels"/> maps of <paramref name="Height"/> x
    /// <paramref name="Width"/>: <see cref="ColumnsFor"/> columns, <c>rows = ceil(C / cols)</c>, channel k at row k / cols and
    /// column k % cols; each map pixel drawn as a Scale x Scale block, tiles Gap pixels apart, the grid centred under
    /// the title. Public so tests can read a PNG back tile by tile.
    /// </summary>
    public sealed record Grid(int Channels, int Height, int Width)
    {
        /// <summary>Largest side a tile is enlarged towards, in pixels.</summary>
        public const int TileTarget = 128;
        /// <summary>Pixels between tiles and around the grid.</summary>
        public const int Gap = 4, Margin = 12, TitleSpace = 44, MinImageWidth = 360;

        public int Cols => ColumnsFor(Channels);
        public int Rows => (Channels + Cols - 1) / Cols;
        /// <summary>Integer enlargement of each map (nearest neighbour).</summary>
        public int Scale => Math.Max(1, TileTarget / Math.Max(Height, Width));
        public int TileWidth => Width * Scale;
        public int TileHeight => Height * Scale;
        public int GridWidth => Cols * TileWidth + (Cols - 1) * Gap;
        public int GridHeight => Rows * TileHeight + (Rows - 1) * Gap;
        public int ImageWidth => Math.Max(MinImageWidth, GridWidth + 2 * Margin);
        public int ImageHeight => TitleSpace + GridHeight + Margin;
        public int Left => (ImageWidth - GridWidth) / 2;
        public int Top => TitleSpace;

        /// <summary>
        /// Columns for C tiles: the smallest divisor of C from ceil(sqrt(C)) up to twice that, so the grid is full
        /// (32 maps: 8 x 4, 64: 8 x 8, 6: 3 x 2), else ceil(sqrt(C)) with the last row part empty (7 maps: 3 x 3).
        /// </summary>
        public static int ColumnsFor(int channels)
        {
            int root = (int)Math.Ceiling(Math.Sqrt(channels));
            for (int d = root; d <= 2 * root; d++)
                if (channels % d == 0) return d;
            return Math.Max(1, root);
        }

        /// <summary>The top-left pixel of channel <paramref name="k"/>'s tile.</summary>
        public (int X, int Y) TileOrigin(int k) => (Left + k % Cols * (TileWidth + Gap), Top + k / Cols * (TileHeight + Gap));
    }

    /// <summary>One channel of the first sample as grey levels, as <see cref="FeatureMapProbe.GreyTile"/> computes them.</summary>
    public static byte[,] Tile(Tensor maps, int channel)
    {
        int h = maps.Shape[1], w = maps.Shape[2];
        var flat = new byte[h * w];
        FeatureMapProbe.GreyTile(maps, channel, flat);
        var tile = new byte[h, w];
        Buffer.BlockCopy(flat, 0, tile, 0, flat.Length);
        return tile;
    }

    /// <summary>Draws one layer's maps (1, H, W, C) as a titled grid PNG, written atomically.</summary>
    public static void DrawGrid(string path, string title, Tensor maps)
    {
        if (maps.Rank != 4 || maps.Shape[0] != 1)
            throw new KerasNetException($"{path}: feature maps must have shape (1, H, W, C), got {ShapeUtil.Format(maps.Shape)}.");
        var g = new Grid(maps.Shape[3], maps.Shape[1], maps.Shape[2]);
        if ((long)g.ImageWidth * g.ImageHeight > 100_000_000)
            throw new KerasNetException($"{path}: {g.Channels} maps of {g.Height}x{g.Width} make a {g.ImageWidth}x{g.ImageHeight} image, too large to draw.");
        var plot = new Plot();
        plot.HideAxesAndGrid();
        // The data area is the grid itself, one axis unit per pixel, so tiles land on exact pixels.
        plot.Layout.Fixed(new PixelPadding(g.Left, g.ImageWidth - g.Left - g.GridWidth, g.ImageHeight - g.Top - g.GridHeight, g.Top));
        plot.Axes.SetLimits(0, g.GridWidth, 0, g.GridHeight);
        var images = new List<ScottPlot.Image>();
        for (int k = 0; k < g.Channels; k++)
        {
            var tile = Tile(maps, k);
            var big = new byte[g.TileHeight, g.TileWidth];
            for (int yy = 0; yy < g.TileHeight; yy++)
                for (int xx = 0; xx < g.TileWidth; xx++)
                    big[yy, xx] = tile[yy / g.Scale, xx / g.Scale];
            var (x0, y0) = g.TileOrigin(k);
            double left = x0 - g.Left, top = g.GridHeight - (y0 - g.Top); // y grows upwards in plot units
            images.Add(new ScottPlot.Image(big));
            var rect = plot.Add.ImageRect(images[^1], new CoordinateRect(left, left + g.TileWidth, top - g.TileHeight, top));
            rect.AntiAlias = false;
        }
        plot.Title(title);
        try { Plots.Save(plot, path, g.ImageWidth, g.ImageHeight); }
        finally { foreach (var im in images) im.Dispose(); }
    }

    /// <summary>A short list of layer names for messages.</summary>
    public static string Names(IEnumerable<(Layer Layer, Tensor Maps)> maps) =>
        string.Join(", ", maps.Select(m => $"{m.Layer.Name} {ShapeUtil.Format(m.Maps.Shape)}"));
}
