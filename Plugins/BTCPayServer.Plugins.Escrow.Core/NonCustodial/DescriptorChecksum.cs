namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The BIP-380 descriptor checksum (8 characters after '#'). Written here rather than taken from NBitcoin because the
/// NBitcoin that BTCPay 2.4.1 loads at run time (10.0.7) may not expose it, and the checksum is what lets a party's
/// wallet confirm it imported exactly the descriptor the escrow shows.
/// </summary>
public static class DescriptorChecksum
{
    private const string InputCharset =
        "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
    private const string ChecksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>The checksum of <paramref name="descriptor"/> (without '#'), or null if it has a character BIP-380 does not allow.</summary>
    public static string? Compute(string descriptor)
    {
        ulong c = 1;
        int cls = 0, clsCount = 0;
        foreach (var ch in descriptor)
        {
            var pos = InputCharset.IndexOf(ch);
            if (pos < 0)
                return null;
            c = PolyMod(c, pos & 31);
            cls = cls * 3 + (pos >> 5);
            if (++clsCount == 3)
            {
                c = PolyMod(c, cls);
                cls = 0;
                clsCount = 0;
            }
        }
        if (clsCount > 0)
            c = PolyMod(c, cls);
        for (var j = 0; j < 8; j++)
            c = PolyMod(c, 0);
        c ^= 1;
        var result = new char[8];
        for (var j = 0; j < 8; j++)
            result[j] = ChecksumCharset[(int)((c >> (5 * (7 - j))) & 31)];
        return new string(result);
    }

    /// <summary><paramref name="descriptor"/> followed by '#' and its checksum.</summary>
    public static string Append(string descriptor) =>
        descriptor + "#" + (Compute(descriptor) ?? throw new ArgumentException("The descriptor has a character BIP-380 does not allow.", nameof(descriptor)));

    /// <summary>
    /// Splits "descriptor#checksum" and checks the checksum when there is one. A missing checksum is allowed (many
    /// wallets export without it); a wrong one is not, because it means the text was changed or cut.
    /// </summary>
    public static bool TryStrip(string text, out string descriptor, out string? problem)
    {
        var hash = text.IndexOf('#');
        descriptor = hash < 0 ? text : text[..hash];
        problem = null;
        if (hash < 0)
        {
            if (Compute(descriptor) is null)
                problem = "The descriptor contains a character that descriptors never use.";
            return problem is null;
        }
        var given = text[(hash + 1)..];
        var expected = Compute(descriptor);
        if (expected is null)
            problem = "The descriptor contains a character that descriptors never use.";
        else if (given.Length != 8)
            problem = $"The descriptor checksum after '#' must be 8 characters; it has {given.Length}. Copy the whole descriptor again.";
        else if (!string.Equals(given, expected, StringComparison.Ordinal))
            problem = "The descriptor checksum does not match: the text was changed or cut while copying. Copy the whole descriptor again.";
        return problem is null;
    }

    private static ulong PolyMod(ulong c, int val)
    {
        var c0 = (byte)(c >> 35);
        c = ((c & 0x7ffffffffUL) << 5) ^ (ulong)val;
        if ((c0 & 1) != 0) c ^= 0xf5dee51989UL;
        if ((c0 & 2) != 0) c ^= 0xa9fdca3312UL;
        if ((c0 & 4) != 0) c ^= 0x1bab10e32dUL;
        if ((c0 & 8) != 0) c ^= 0x3706b1677aUL;
        if ((c0 & 16) != 0) c ^= 0x644d626ffdUL;
        return c;
    }
}
