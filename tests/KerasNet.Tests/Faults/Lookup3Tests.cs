#nullable enable
using System.Text;
using KerasNet.Saving;

namespace KerasNet.Tests.Faults;

/// <summary>The object-header checksum against the values printed by Jenkins' lookup3.c self-test (driver5, initval 0).</summary>
public class Lookup3Tests
{
    [Theory]
    [InlineData("", 0xdeadbeefu)]
    [InlineData("Four score and seven years ago", 0x17770551u)]
    public void MatchesTheReference(string text, uint expected) => Assert.Equal(expected, Lookup3.Hash(Encoding.ASCII.GetBytes(text)));
}
