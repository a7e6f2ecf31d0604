namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>The three key holders of a 2-of-3 milestone escrow.</summary>
public enum EscrowRole
{
    Client,
    Freelancer,
    Agency,
}

public static class EscrowRoleNames
{
    /// <summary>The input field a role's key comes from, so a refusal can point at it.</summary>
    public static string KeyField(this EscrowRole role) => role switch
    {
        EscrowRole.Client => "clientKey",
        EscrowRole.Freelancer => "freelancerKey",
        _ => "agencyKey",
    };

    public static string Noun(this EscrowRole role) => role switch
    {
        EscrowRole.Client => "client",
        EscrowRole.Freelancer => "freelancer",
        _ => "agency",
    };
}
