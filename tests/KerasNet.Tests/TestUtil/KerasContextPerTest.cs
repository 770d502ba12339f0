#nullable enable
using System.Reflection;
using Xunit.Sdk;

namespace KerasNet.Tests.TestUtil;

/// <summary>
/// Runs every test in a fresh <see cref="KerasContext"/> (applied to the whole assembly in AssemblyInfo.cs): its own
/// automatic names, random seed and streams, backend, limits and warning sink, so tests that seed, count names or
/// swap the warning sink can run in parallel. xunit calls <see cref="Before"/> after constructing the test class and
/// in the async flow the test method then runs in; code in test-class constructors and class fixtures runs in
/// <see cref="KerasContext.Default"/> (none of them creates layers or seeds; keep it that way, or open a scope there).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class KerasContextPerTestAttribute : BeforeAfterTestAttribute
{
    // Per async flow, so one attribute instance serves tests running in parallel.
    private static readonly AsyncLocal<IDisposable?> Scope = new();

    public override void Before(MethodInfo methodUnderTest) => Scope.Value = KerasContext.Use(new KerasContext());

    public override void After(MethodInfo methodUnderTest)
    {
        Scope.Value?.Dispose();
        Scope.Value = null;
    }
}
