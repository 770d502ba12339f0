#nullable enable
using System.Reflection;
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet.Tests.Saving;

/// <summary>
/// The layer registry's table is generated at compile time from [KerasLayer] (issue 17, start-up): these tests find
/// every layer class by reflection, as the registry itself used to, so a class left unmarked, or marked but missing
/// from the table, fails here instead of at a user's load.
/// </summary>
public class LayerRegistryTests
{
    // Concrete Layer classes that no config names through the registry, each with the reason.
    private static readonly Dictionary<Type, string> NotRegistered = new()
    {
        [typeof(InputLayer)] = "read by the model config readers (ModelConfigReader.NewInputLayer)",
    };

    private static IEnumerable<Type> ConcreteLayerClasses() =>
        typeof(Layer).Assembly.GetTypes().Where(t => typeof(Layer).IsAssignableFrom(t) && !t.IsAbstract && !t.IsGenericTypeDefinition
            && !typeof(Model).IsAssignableFrom(t)); // Sequential, Functional and Model configs: ModelConfigReader

    [Fact]
    public void EveryConcreteLayerClassIsRegisteredUnderEachOfItsNames()
    {
        var classes = ConcreteLayerClasses().ToList();
        Assert.Contains(typeof(Conv2D), classes); // the reflection finds the classes at all
        var names = LayerRegistry.ClassNames.ToHashSet();
        foreach (var t in classes)
        {
            if (NotRegistered.ContainsKey(t)) continue;
            var attribute = t.GetCustomAttribute<KerasLayerAttribute>(inherit: false);
            Assert.True(attribute != null, $"{t.FullName} is a concrete layer class without [KerasLayer(\"KerasClassName\")]: configs cannot name it.");
            foreach (var name in attribute!.ClassNames)
            {
                Assert.True(names.Contains(name), $"{t.Name}'s Keras name '{name}' is not in LayerRegistry.ClassNames.");
                Assert.Equal(t, LayerRegistry.BuiltInType(name));
            }
        }
    }

    [Fact]
    public void EveryBuiltInNameBelongsToAMarkedClass()
    {
        var marked = ConcreteLayerClasses()
            .SelectMany(t => t.GetCustomAttribute<KerasLayerAttribute>(inherit: false)?.ClassNames.Select(n => (Name: n, Type: t)) ?? [])
            .ToList();
        Assert.Equal(marked.Count, marked.Select(m => m.Name).Distinct().Count());
        foreach (var (name, type) in marked) Assert.Equal(type, LayerRegistry.BuiltInType(name));
        Assert.Null(LayerRegistry.BuiltInType("NoSuchLayer"));
        Assert.Subset(LayerRegistry.ClassNames.ToHashSet(), marked.Select(m => m.Name).ToHashSet());
        // Keras 1 aliases resolve to the same class as the current name.
        Assert.Equal(typeof(Conv2D), LayerRegistry.BuiltInType("Convolution2D"));
        Assert.Equal(typeof(MaxPooling2D), LayerRegistry.BuiltInType("MaxPool2D"));
    }

    [Theory]
    [InlineData("Add", typeof(Add))]             // (name, trainable) constructor
    [InlineData("Concatenate", typeof(Concatenate))] // FromConfig
    [InlineData("Flatten", typeof(Flatten))]
    public void CreateBuildsTheNamedClassWithItsNameAndTrainableFlag(string className, Type expected)
    {
        var config = new JsonObject { ["name"] = "x1", ["trainable"] = false };
        var layer = LayerRegistry.Create(new LayerConfigReader(config, className, "test config"));
        Assert.IsType(expected, layer);
        Assert.Equal("x1", layer.Name);
    }

    [Fact]
    public void UnknownClassListsEverySupportedNameSorted()
    {
        var e = Assert.ThrowsAny<KerasNetException>(() => LayerRegistry.Create(new LayerConfigReader(new JsonObject { ["name"] = "n" }, "NoSuchLayer", "test config")));
        string expected = $"unknown layer class 'NoSuchLayer'. Supported: {string.Join(", ", LayerRegistry.ClassNames.Order())}.";
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("test config", e.Message);
        Assert.Contains("Conv2D, Conv2DTranspose", e.Message);
    }

    [Fact]
    public void RegisterAddsAndReplacesANameOutsideTheTable()
    {
        string name = "RegistryTestLayer" + Guid.NewGuid().ToString("N");
        var config = new JsonObject { ["name"] = "r" };
        LayerRegistry.Register(name, c => new Flatten(name: c.Name));
        Assert.Contains(name, LayerRegistry.ClassNames);
        Assert.IsType<Flatten>(LayerRegistry.Create(new LayerConfigReader(config, name, "test config")));
        LayerRegistry.Register(name, c => new Dropout(0.5, name: c.Name));
        Assert.IsType<Dropout>(LayerRegistry.Create(new LayerConfigReader(config, name, "test config")));
        Assert.Null(LayerRegistry.BuiltInType(name));
    }
}
