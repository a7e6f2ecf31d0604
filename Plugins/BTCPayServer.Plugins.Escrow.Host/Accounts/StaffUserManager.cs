using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BTCPayServer.Plugins.Escrow.Host.Accounts;

/// <summary>The clock that lockouts run on: real time (never the sandbox clock); tests put a fake one in its place.</summary>
public sealed class SignInClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}

/// <summary>
/// Identity's user manager with lockout on <see cref="SignInClock"/> (Identity 10 reads the system clock itself), and
/// with disabled accounts counted as locked out, so they are refused with the same answer as any wrong sign-in.
/// </summary>
public sealed class StaffUserManager(
    IUserStore<StaffUser> store, IOptions<IdentityOptions> options, IPasswordHasher<StaffUser> hasher,
    IEnumerable<IUserValidator<StaffUser>> userValidators, IEnumerable<IPasswordValidator<StaffUser>> passwordValidators,
    ILookupNormalizer normalizer, IdentityErrorDescriber errors, IServiceProvider services, ILogger<UserManager<StaffUser>> logger, SignInClock clock)
    : UserManager<StaffUser>(store, options, hasher, userValidators, passwordValidators, normalizer, errors, services, logger)
{
    public override async Task<bool> IsLockedOutAsync(StaffUser user)
    {
        if (user.IsDisabled)
            return true;
        var end = await GetLockoutEndDateAsync(user);
        return end is { } until && until > clock.Time.GetUtcNow();
    }

    public override async Task<IdentityResult> AccessFailedAsync(StaffUser user)
    {
        var lockout = (IUserLockoutStore<StaffUser>)Store;
        var count = await lockout.IncrementAccessFailedCountAsync(user, CancellationToken);
        if (count >= Options.Lockout.MaxFailedAccessAttempts)
        {
            await lockout.SetLockoutEndDateAsync(user, clock.Time.GetUtcNow() + Options.Lockout.DefaultLockoutTimeSpan, CancellationToken);
            await lockout.ResetAccessFailedCountAsync(user, CancellationToken);
        }
        return await UpdateUserAsync(user);
    }
}
