using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Milestones;

public enum ReviewEntryKind
{
    Submission,
    ChangeRequest,
}

/// <summary>A delivery by the freelancer or a change request by the client, kept in order on the milestone.</summary>
public sealed class ReviewEntry
{
    public const int MaxMessageLength = 10_000;
    public const int MaxLinks = 20;
    public const int MaxLinkLength = 2_000;

    private ReviewEntry() { }

    public Guid Id { get; private set; }
    public Guid MilestoneId { get; private set; }
    public ReviewEntryKind Kind { get; private set; }
    public PartyRole Author { get; private set; }
    public string Message { get; private set; } = "";
    public List<string> Links { get; private set; } = [];
    /// <summary>SHA-256 hashes (hex) of delivered files, so a delivery can be proven later.</summary>
    public List<string> FileHashes { get; private set; } = [];
    public DateTimeOffset At { get; private set; }

    internal static ReviewEntry Submission(Guid milestoneId, string? message, IEnumerable<string>? links, IEnumerable<string>? fileHashes, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        MilestoneId = milestoneId,
        Kind = ReviewEntryKind.Submission,
        Author = PartyRole.Freelancer,
        Message = Text.Required(message, "message", "delivery message", MaxMessageLength),
        Links = CheckLinks(links),
        FileHashes = CheckHashes(fileHashes),
        At = at,
    };

    internal static ReviewEntry ChangeRequest(Guid milestoneId, string? message, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        MilestoneId = milestoneId,
        Kind = ReviewEntryKind.ChangeRequest,
        Author = PartyRole.Client,
        Message = Text.Required(message, "message", "description of the changes", MaxMessageLength),
        At = at,
    };

    private static List<string> CheckLinks(IEnumerable<string>? links)
    {
        var list = (links ?? []).Select(l => l?.Trim() ?? "").Where(l => l.Length > 0).ToList();
        if (list.Count > MaxLinks)
            throw new InvalidInputException("links", $"At most {MaxLinks} links may be attached.");
        foreach (var link in list)
        {
            if (link.Length > MaxLinkLength || !Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
                throw new InvalidInputException("links", $"'{Shorten(link)}' is not an http(s) link.");
        }
        return list;
    }

    private static List<string> CheckHashes(IEnumerable<string>? hashes)
    {
        var list = (hashes ?? []).Select(h => h?.Trim().ToLowerInvariant() ?? "").Where(h => h.Length > 0).ToList();
        if (list.Count > MaxLinks)
            throw new InvalidInputException("fileHashes", $"At most {MaxLinks} file hashes may be attached.");
        foreach (var hash in list)
        {
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit))
                throw new InvalidInputException("fileHashes", $"'{Shorten(hash)}' is not a SHA-256 hash (64 hex digits).");
        }
        return list;
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
