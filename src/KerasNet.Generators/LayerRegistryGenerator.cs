using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace KerasNet.Generators;

/// <summary>
/// Generates the built-in part of <c>KerasNet.Saving.LayerRegistry</c> from the <c>[KerasLayer("Name", ...)]</c>
/// attributes of the library's layer classes (issue 17, start-up): a <c>switch</c> from Keras class name to the class's
/// static <c>FromConfig(LayerConfigReader)</c>, or to its <c>(string? name, bool trainable)</c> constructor, and the
/// list of names. Loading a model then loads only the layer classes its config names, where the registry used to scan
/// every type of the assembly by reflection. A new layer stays one file: its attribute is its registration. A name
/// claimed twice, or a marked class with neither factory, fails the build here (it used to fail at run time).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class LayerRegistryGenerator : IIncrementalGenerator
{
    private const string AttributeName = "KerasNet.Saving.KerasLayerAttribute";
    private const string ReaderName = "KerasNet.Saving.LayerConfigReader";

    private static readonly DiagnosticDescriptor NoFactory = new("KNGEN001", "Layer without a factory",
        "{0} is marked [KerasLayer] but has neither a static FromConfig(LayerConfigReader) returning a layer nor a (string? name, bool trainable) constructor",
        "KerasNet", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor Claimed = new("KNGEN002", "Keras class name claimed twice",
        "Keras class name '{0}' is claimed by both {1} and {2}", "KerasNet", DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor NoNames = new("KNGEN003", "Layer without a Keras class name",
        "{0} is marked [KerasLayer] without a class name", "KerasNet", DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var layers = context.SyntaxProvider.ForAttributeWithMetadataName(AttributeName,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
            static (ctx, _) => Describe((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes));
        context.RegisterSourceOutput(layers.Collect(), Emit);
    }

    private sealed class LayerInfo
    {
        public LayerInfo(string type, string display, ImmutableArray<string> names, bool fromConfig, bool nameTrainableCtor, Location? location)
        {
            Type = type;
            Display = display;
            Names = names;
            FromConfig = fromConfig;
            NameTrainableCtor = nameTrainableCtor;
            Location = location;
        }

        public string Type { get; }
        public string Display { get; }
        public ImmutableArray<string> Names { get; }
        public bool FromConfig { get; }
        public bool NameTrainableCtor { get; }
        public Location? Location { get; }
    }

    private static LayerInfo Describe(INamedTypeSymbol type, ImmutableArray<AttributeData> attributes)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        foreach (var a in attributes)
            foreach (var arg in a.ConstructorArguments)
            {
                if (arg.Kind == TypedConstantKind.Array) names.AddRange(arg.Values.Select(v => v.Value as string).Where(v => v != null)!);
                else if (arg.Value is string s) names.Add(s);
            }
        bool fromConfig = type.GetMembers("FromConfig").OfType<IMethodSymbol>().Any(m => m.IsStatic && m.Parameters.Length == 1
            && m.Parameters[0].Type.ToDisplayString() == ReaderName && m.DeclaredAccessibility != Accessibility.Private
            && InheritsLayer(m.ReturnType));
        bool ctor = type.InstanceConstructors.Any(c => c.DeclaredAccessibility != Accessibility.Private && c.Parameters.Length == 2
            && c.Parameters[0].Type.SpecialType == SpecialType.System_String && c.Parameters[1].Type.SpecialType == SpecialType.System_Boolean);
        return new LayerInfo(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), type.Name, names.ToImmutable(), fromConfig, ctor,
            type.Locations.FirstOrDefault());
    }

    private static bool InheritsLayer(ITypeSymbol? t)
    {
        for (; t != null; t = t.BaseType)
            if (t.ToDisplayString() == "KerasNet.Layers.Layer") return true;
        return false;
    }

    private static void Emit(SourceProductionContext context, ImmutableArray<LayerInfo> layers)
    {
        // Declaration order is not stable across files, so the table is sorted by class name (the registry's
        // ClassNames lists are sorted by their users anyway).
        var ordered = layers.OrderBy(l => l.Type, System.StringComparer.Ordinal).ToList();
        var claimed = new Dictionary<string, LayerInfo>(System.StringComparer.Ordinal);
        bool ok = true;
        foreach (var l in ordered)
        {
            if (l.Names.Length == 0) { context.ReportDiagnostic(Diagnostic.Create(NoNames, l.Location, l.Display)); ok = false; }
            if (!l.FromConfig && !l.NameTrainableCtor) { context.ReportDiagnostic(Diagnostic.Create(NoFactory, l.Location, l.Display)); ok = false; }
            foreach (var n in l.Names)
            {
                if (claimed.TryGetValue(n, out var other)) { context.ReportDiagnostic(Diagnostic.Create(Claimed, l.Location, n, other.Display, l.Display)); ok = false; }
                else claimed[n] = l;
            }
        }
        if (!ok) return;

        var sb = new StringBuilder();
        sb.AppendLine("// <auto-generated>KerasNet.Generators.LayerRegistryGenerator, from the [KerasLayer] attributes.</auto-generated>");
        sb.AppendLine("#nullable enable");
        sb.AppendLine("namespace KerasNet.Saving;");
        sb.AppendLine();
        sb.AppendLine("public static partial class LayerRegistry");
        sb.AppendLine("{");
        sb.AppendLine("    /// <summary>The Keras class names of the library's own layers, each class's names in its attribute's order.</summary>");
        sb.AppendLine("    private static readonly string[] BuiltInNames =");
        sb.AppendLine("    [");
        foreach (var l in ordered)
            foreach (var n in l.Names) sb.Append("        ").Append(Literal(n)).AppendLine(",");
        sb.AppendLine("    ];");
        sb.AppendLine();
        sb.AppendLine("    /// <summary>The factory of a built-in Keras class name; null for a name no library class claims.</summary>");
        sb.AppendLine("    private static global::System.Func<LayerConfigReader, global::KerasNet.Layers.Layer>? BuiltIn(string className) => className switch");
        sb.AppendLine("    {");
        foreach (var l in ordered)
        {
            string factory = l.FromConfig ? $"{l.Type}.FromConfig" : $"static c => new {l.Type}(c.Name, c.Bool(true, \"trainable\"))";
            sb.Append("        ").Append(string.Join(" or ", l.Names.Select(Literal))).Append(" => ").Append(factory).AppendLine(",");
        }
        sb.AppendLine("        _ => null,");
        sb.AppendLine("    };");
        sb.AppendLine();
        sb.AppendLine("    /// <summary>The library class registered under a built-in Keras class name (for the registry's tests); null if none.</summary>");
        sb.AppendLine("    internal static global::System.Type? BuiltInType(string className) => className switch");
        sb.AppendLine("    {");
        foreach (var l in ordered)
            sb.Append("        ").Append(string.Join(" or ", l.Names.Select(Literal))).Append(" => typeof(").Append(l.Type).AppendLine("),");
        sb.AppendLine("        _ => null,");
        sb.AppendLine("    };");
        sb.AppendLine("}");
        context.AddSource("LayerRegistry.g.cs", SourceText.From(sb.ToString(), Encoding.UTF8));
    }

    private static string Literal(string s) => SymbolDisplay.FormatLiteral(s, quote: true);
}
