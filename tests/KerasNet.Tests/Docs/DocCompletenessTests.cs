#nullable enable
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using KerasNet.Models;

namespace KerasNet.Tests.Docs;

/// <summary>
/// The library's XML docs (KerasNet.xml, the compiler's output with the <c>&lt;include&gt;</c>d texts of
/// Docs/Params.xml inlined) are complete beyond what the compiler checks: CS1591 wants a summary per public member,
/// CS1573 a <c>&lt;param&gt;</c> per parameter only once one is documented. Reflecting over every public and
/// protected member of every public type, these tests want a non-empty <c>&lt;param&gt;</c> per parameter, a
/// <c>&lt;typeparam&gt;</c> per generic parameter, a <c>&lt;returns&gt;</c> per non-void method, and for each
/// string that takes one of Keras's named options (an activation, a padding, a loss, ...) its accepted values and
/// Keras's default. <c>&lt;inheritdoc/&gt;</c> (which the compiler leaves unexpanded) counts only when the member it
/// inherits from is documented. Each test lists every offender, not the first.
/// </summary>
public sealed partial class DocCompletenessTests
{
    private static readonly Assembly Library = typeof(Sequential).Assembly;

    private static readonly Lazy<Dictionary<string, XElement>> Members = new(() =>
    {
        string path = Path.ChangeExtension(Library.Location, ".xml");
        Assert.True(File.Exists(path), $"{path} is missing: the library's GenerateDocumentationFile output is copied beside it");
        return XDocument.Load(path).Root!.Element("members")!.Elements("member")
            .ToDictionary(m => (string)m.Attribute("name")!, StringComparer.Ordinal);
    });

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                          BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Public and protected (what a user of the package sees or overrides), not compiler-generated.</summary>
    private static bool Visible(MethodBase m) => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !Generated(m);

    private static bool Generated(MemberInfo m) => m.IsDefined(typeof(CompilerGeneratedAttribute), false);

    private static IEnumerable<Type> PublicTypes() =>
        Library.GetExportedTypes().Where(t => !Generated(t)).OrderBy(t => t.FullName, StringComparer.Ordinal);

    [Fact]
    public void EveryParameterTypeParameterAndReturnValueIsDocumented()
    {
        var offenders = new List<string>();
        int checkedMembers = 0;
        foreach (var type in PublicTypes())
        {
            if (typeof(Delegate).IsAssignableFrom(type))
            {
                var invoke = type.GetMethod("Invoke")!;
                CheckMember(TypeId(type), type, invoke.GetParameters(), type.GetGenericArguments()
                    .Where(a => a.DeclaringType == type && !Inherited(type, a)).ToArray(), invoke.ReturnType, offenders);
                checkedMembers++;
                continue;
            }
            var ownTypeParams = type.GetGenericArguments().Where(a => !Inherited(type, a)).ToArray();
            if (ownTypeParams.Length > 0) { CheckMember(TypeId(type), type, [], ownTypeParams, typeof(void), offenders); checkedMembers++; }
            foreach (var ctor in type.GetConstructors(Declared).Where(Visible).Where(c => !c.IsStatic && c.GetParameters().Length > 0))
            {
                CheckMember(MethodId(ctor), ctor, ctor.GetParameters(), [], typeof(void), offenders);
                checkedMembers++;
            }
            foreach (var method in type.GetMethods(Declared).Where(Visible))
            {
                // Accessors are documented on their property or event; operators are methods users call.
                if (method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal)) continue;
                CheckMember(MethodId(method), method, method.GetParameters(), method.GetGenericArguments(), method.ReturnType, offenders);
                checkedMembers++;
            }
            foreach (var prop in type.GetProperties(Declared))
            {
                var accessor = prop.GetMethod ?? prop.SetMethod!;
                if (!Visible(accessor) || prop.GetIndexParameters().Length == 0) continue;
                CheckMember(PropertyId(prop), prop, prop.GetIndexParameters(), [], typeof(void), offenders);
                checkedMembers++;
            }
        }
        Assert.True(checkedMembers > 200, $"only {checkedMembers} members with parameters were found: the reflection misses some");
        Assert.True(offenders.Count == 0,
            $"{offenders.Count} public/protected members lack docs (the tag, the member; add them in the .cs file, or " +
            $"<include> a shared text of src/KerasNet/Docs/Params.xml):\n" + string.Join("\n", offenders));
    }

    /// <summary>
    /// Parameters and properties (by name, any case) whose string is one of Keras's named options; with the
    /// parameters of a type built from a string (<c>Initializer</c>, <c>Regularizer</c>, <c>ShuffleMode</c>, ...), whose
    /// strings are options by construction. Free-form strings (names, paths, metric keys to monitor) are not here.
    /// </summary>
    private static readonly HashSet<string> OptionNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "activation", "recurrentActivation", "classifierActivation", "padding", "dataFormat", "interpolation", "loss",
        "optimizer", "reduction", "mode", "fillMode", "classMode", "colorMode", "labelMode", "mergeMode", "metrics",
        "weightedMetrics", "pooling", "subset", "summationMethod", "distribution", "curve", "countMode",
        "dtype", "average", "shuffle", "identifier", "fileFormat", "implementation",
    };

    /// <summary>Options whose value Keras requires (no default to state): the name of the thing to build.</summary>
    private static readonly HashSet<string> NoKerasDefault = new(StringComparer.OrdinalIgnoreCase) { "identifier", "initializer" };

    /// <summary>Strings named like an option that are not one: a loss's name quoted in an error message.</summary>
    private static readonly HashSet<string> NotOptions = new(StringComparer.Ordinal) { "CheckSameShape/loss" };

    /// <summary>Equality of two option values takes values, not Keras's strings.</summary>
    private static bool ComparesValues(MethodBase m) => m.Name is "op_Equality" or "op_Inequality" or "Equals";

    [GeneratedRegex("\"[A-Za-z0-9_.\\-]+\"")]
    private static partial Regex QuotedValue();

    [Fact]
    public void EveryStringOptionListsItsAcceptedValuesAndKerasDefault()
    {
        var offenders = new List<string>();
        int checkedOptions = 0;
        foreach (var type in PublicTypes())
        {
            var methods = type.GetConstructors(Declared).Cast<MethodBase>().Concat(type.GetMethods(Declared))
                .Where(Visible).Where(m => m is ConstructorInfo || !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal));
            foreach (var m in methods)
            {
                var doc = Members.Value.GetValueOrDefault(MethodId(m));
                if (ComparesValues(m)) continue;
                foreach (var p in m.GetParameters().Where(IsOption).Where(p => !NotOptions.Contains($"{m.Name}/{p.Name}")))
                {
                    checkedOptions++;
                    var text = ParamText(doc, m, p);
                    string why = OptionProblem(text, needsDefault: !NoKerasDefault.Contains(p.Name!), minValues: MinValues(type, p));
                    if (why.Length > 0) offenders.Add($"{why} for <param name=\"{p.Name}\">: {MethodId(m)}");
                }
            }
            foreach (var prop in type.GetProperties(Declared))
            {
                var accessor = prop.GetMethod ?? prop.SetMethod!;
                if (!Visible(accessor) || prop.PropertyType != typeof(string) || !OptionNames.Contains(prop.Name)) continue;
                checkedOptions++;
                var doc = Members.Value.GetValueOrDefault(PropertyId(prop));
                if (doc?.Element("inheritdoc") is not null && InheritedFrom(prop) is PropertyInfo baseProp)
                    doc = baseProp.Module.Assembly == Library ? Members.Value.GetValueOrDefault(PropertyId(baseProp)) : doc;
                // A property reports the value in use: the accepted values are its documentation, the default the constructor's.
                string why = OptionProblem(doc, needsDefault: false, minValues: 2);
                if (why.Length > 0) offenders.Add($"{why} for the property: {PropertyId(prop)}");
            }
        }
        Assert.True(checkedOptions > 100, $"only {checkedOptions} string options were found: the reflection misses some");
        Assert.True(offenders.Count == 0,
            $"{offenders.Count} string options do not say what they accept (two or more quoted values, e.g. " +
            "<c>\"valid\"</c>, <c>\"same\"</c>, one for a type that also takes numbers or booleans, or a <see cref> " +
            "to docs that list them) or Keras's default " +
            "(the word \"default\"):\n" + string.Join("\n", offenders));
    }

    private static bool IsOption(ParameterInfo p)
    {
        var t = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        if (t == typeof(string) || t == typeof(string[])) return OptionNames.Contains(p.Name!);
        return BuiltFromString(t);
    }

    private static bool BuiltFromString(Type t) => t.Module.Assembly == Library && t.GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Any(o => o.Name == "op_Implicit" && o.ReturnType == t && o.GetParameters()[0].ParameterType == typeof(string));

    /// <summary>
    /// Quoted values an option's text must show: two for a plain string; one for a type that also takes numbers,
    /// booleans or objects (<c>saveFreq</c>: <c>"epoch"</c> or a batch count; <c>shuffle</c>: a bool or <c>"batch"</c>),
    /// and for the string its own parser reads.
    /// </summary>
    private static int MinValues(Type declaring, ParameterInfo p)
    {
        var t = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        return t != typeof(string) && t != typeof(string[]) || BuiltFromString(declaring) ? 1 : 2;
    }

    /// <summary>The param element of a parameter, its own or through <c>&lt;inheritdoc/&gt;</c>.</summary>
    private static XElement? ParamText(XElement? doc, MethodBase m, ParameterInfo p, int depth = 0)
    {
        if (doc is null || depth > 10) return null;
        var own = doc.Elements("param").FirstOrDefault(e => (string?)e.Attribute("name") == p.Name);
        if (own is not null || doc.Element("inheritdoc") is null) return own;
        if (InheritedFrom(m) is MethodBase from && from.Module.Assembly == Library && p.Position < from.GetParameters().Length)
            return ParamText(Members.Value.GetValueOrDefault(MethodId(from)), from, from.GetParameters()[p.Position], depth + 1);
        return null;
    }

    /// <summary>What an option's text lacks ("" when nothing): the accepted values, listed or behind a cref, and the default.</summary>
    private static string OptionProblem(XElement? text, bool needsDefault, int minValues)
    {
        if (text is null) return "no docs";
        bool lists = ListsValues(text, minValues) || text.Descendants().Select(e => (string?)e.Attribute("cref")).OfType<string>()
            .Any(cref => Members.Value.TryGetValue(cref, out var target) && ListsValues(target, 2));
        bool hasDefault = !needsDefault || text.Value.Contains("default", StringComparison.OrdinalIgnoreCase);
        return (lists, hasDefault) switch
        {
            (false, false) => "no accepted values and no Keras default",
            (false, true) => "no accepted values",
            (true, false) => "no Keras default",
            _ => "",
        };
    }

    private static bool ListsValues(XElement e, int min) => QuotedValue().Matches(e.Value).Select(m => m.Value).Distinct().Count() >= min;

    /// <summary>A generic parameter of a nested type that is its enclosing type's (C# repeats them on the nested type).</summary>
    private static bool Inherited(Type type, Type arg) =>
        type.DeclaringType is { IsGenericType: true } outer && outer.GetGenericArguments().Any(a => a.Name == arg.Name);

    private static void CheckMember(string id, MemberInfo member, ParameterInfo[] parameters, Type[] typeParams,
                                    Type returnType, List<string> offenders)
    {
        if (!Members.Value.TryGetValue(id, out var doc))
        {
            offenders.Add($"no docs at all: {id}");
            return;
        }
        foreach (var p in parameters)
            if (!Documented(doc, member, "param", p.Name!, p.Position)) offenders.Add($"<param name=\"{p.Name}\">: {id}");
        for (int i = 0; i < typeParams.Length; i++)
            if (!Documented(doc, member, "typeparam", typeParams[i].Name, i)) offenders.Add($"<typeparam name=\"{typeParams[i].Name}\">: {id}");
        bool returnsSomething = returnType != typeof(void) && returnType != typeof(Task) && returnType != typeof(ValueTask);
        if (returnsSomething && !Documented(doc, member, "returns", null, 0)) offenders.Add($"<returns>: {id}");
    }

    /// <summary>
    /// Whether the member's docs have a non-empty tag (a param by name), its own or, through
    /// <c>&lt;inheritdoc/&gt;</c>, the overridden or implemented member's: one outside the library (a framework
    /// member) counts as documented, one inside only when its docs have the tag.
    /// </summary>
    private static bool Documented(XElement doc, MemberInfo member, string tag, string? name, int position, int depth = 0)
    {
        if (HasTag(doc, tag, name)) return true;
        var inherit = doc.Element("inheritdoc");
        if (inherit is null || depth > 10) return false;
        if (inherit.Attribute("cref") is { } cref)
            return Members.Value.TryGetValue(cref.Value, out var target) && Documented(target, member, tag, name, position, depth + 1);
        var from = InheritedFrom(member);
        if (from is null) return false;
        if (from.Module.Assembly != Library) return true;
        string fromId = from switch { MethodBase mb => MethodId(mb), PropertyInfo pi => PropertyId(pi), Type t => TypeId(t), _ => "" };
        if (!Members.Value.TryGetValue(fromId, out var fromDoc)) return false;
        // Overrides may rename parameters (CA1725 keeps them equal): match by position then.
        string? fromName = name;
        if (tag == "param" && from is MethodBase fm && fm.GetParameters() is { } fps && position < fps.Length) fromName = fps[position].Name;
        return Documented(fromDoc, from, tag, fromName, position, depth + 1);
    }

    private static bool HasTag(XElement doc, string tag, string? name) =>
        doc.Elements(tag).Any(e => (name is null || (string?)e.Attribute("name") == name) &&
                                   (e.Value.Trim().Length > 0 || e.HasElements));

    /// <summary>The member an <c>&lt;inheritdoc/&gt;</c> without a cref takes its docs from, as the compiler's rules go.</summary>
    private static MemberInfo? InheritedFrom(MemberInfo member)
    {
        switch (member)
        {
            case MethodInfo m:
                if (m.GetBaseDefinition() is var root && root.DeclaringType != m.DeclaringType)
                {
                    // The nearest overridden method, not the first declaration, so intermediate docs count.
                    var types = m.GetParameters().Select(p => p.ParameterType).ToArray();
                    for (var t = m.DeclaringType!.BaseType; t is not null; t = t.BaseType)
                        if (!m.IsGenericMethod && t.GetMethod(m.Name, Declared, null, types, null) is { } b) return b;
                    return root;
                }
                return Implemented(m);
            case ConstructorInfo c:
                return c.DeclaringType!.BaseType?.GetConstructor(Declared & ~BindingFlags.Static,
                    c.GetParameters().Select(p => p.ParameterType).ToArray());
            case PropertyInfo p:
                var acc = p.GetMethod ?? p.SetMethod!;
                var from = InheritedFrom(acc) as MethodInfo;
                return from?.DeclaringType?.GetProperties(Declared).FirstOrDefault(q => q.GetMethod == from || q.SetMethod == from);
            case Type t:
                return t.BaseType is { } bt && bt != typeof(object) ? bt : t.GetInterfaces().FirstOrDefault();
        }
        return null;
    }

    private static MethodInfo? Implemented(MethodInfo m)
    {
        var type = m.DeclaringType!;
        if (type.IsInterface) return null;
        foreach (var itf in type.GetInterfaces())
        {
            var map = type.GetInterfaceMap(itf);
            int i = Array.IndexOf(map.TargetMethods, m);
            if (i >= 0) return map.InterfaceMethods[i];
        }
        return null;
    }

    // ---- documentation ids (ECMA-334 annex D, as the compiler writes them) ----

    private static string TypeId(Type t) => "T:" + TypeName(t, null);

    private static string MethodId(MethodBase m)
    {
        var sb = new StringBuilder("M:").Append(TypeName(m.DeclaringType!, null)).Append('.');
        sb.Append(m.Name.Replace('.', '#'));
        if (m.IsGenericMethod) sb.Append("``").Append(m.GetGenericArguments().Length);
        AppendParameters(sb, m.GetParameters());
        if (m is MethodInfo mi && mi.Name is "op_Implicit" or "op_Explicit") sb.Append('~').Append(TypeRef(mi.ReturnType));
        return sb.ToString();
    }

    private static string PropertyId(PropertyInfo p)
    {
        var sb = new StringBuilder("P:").Append(TypeName(p.DeclaringType!, null)).Append('.').Append(p.Name.Replace('.', '#'));
        AppendParameters(sb, p.GetIndexParameters());
        return sb.ToString();
    }

    private static void AppendParameters(StringBuilder sb, ParameterInfo[] ps)
    {
        if (ps.Length == 0) return;
        sb.Append('(').Append(string.Join(",", ps.Select(p => TypeRef(p.ParameterType)))).Append(')');
    }

    /// <summary>A type's name in an id; with <paramref name="args"/>, a constructed type's (arguments in braces).</summary>
    private static string TypeName(Type def, Type[]? args)
    {
        var chain = new List<Type>();
        for (var t = def; t is not null; t = t.DeclaringType) chain.Insert(0, t);
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(chain[0].Namespace)) sb.Append(chain[0].Namespace).Append('.');
        int used = 0;
        for (int level = 0; level < chain.Count; level++)
        {
            var t = chain[level];
            if (level > 0) sb.Append('.');
            int own = t.GetGenericArguments().Length - used;
            if (args is null || own == 0) sb.Append(t.Name);
            else
            {
                int tick = t.Name.IndexOf('`');
                sb.Append(tick < 0 ? t.Name : t.Name[..tick]).Append('{')
                  .Append(string.Join(",", args.Skip(used).Take(own).Select(TypeRef))).Append('}');
            }
            used += own;
        }
        return sb.ToString();
    }

    private static string TypeRef(Type t)
    {
        if (t.IsByRef) return TypeRef(t.GetElementType()!) + "@";
        if (t.IsPointer) return TypeRef(t.GetElementType()!) + "*";
        if (t.IsArray)
            return TypeRef(t.GetElementType()!) + (t.IsSZArray ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", t.GetArrayRank())) + "]");
        if (t.IsGenericParameter) return (t.DeclaringMethod is null ? "`" : "``") + t.GenericParameterPosition;
        if (t.IsGenericType) return TypeName(t.GetGenericTypeDefinition(), t.GetGenericArguments());
        return TypeName(t, null);
    }
}
