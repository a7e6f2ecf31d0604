namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>
/// The outcome of checking outside input: either a value, or the field at fault and a message a person can act on.
/// Bad keys, PSBTs and transactions are everyday input here, so they are answers rather than exceptions.
/// </summary>
public sealed class Checked<T> where T : class
{
    private Checked(T? value, string? field, string? problem)
    {
        Value = value;
        Field = field;
        Problem = problem;
    }

    public T? Value { get; }
    public string? Field { get; }
    public string? Problem { get; }
    public bool IsValid => Value is not null;

    public static Checked<T> Ok(T value) => new(value, null, null);
    public static Checked<T> Refused(string field, string problem) => new(null, field, problem);

    /// <summary>The value, or an <see cref="InvalidInputException"/> carrying the refusal.</summary>
    public T Unwrap() => Value ?? throw new InvalidInputException(Field!, Problem!);

    public Checked<TOther> Pass<TOther>() where TOther : class =>
        IsValid ? throw new InvalidOperationException("Only a refusal can be passed on.") : Checked<TOther>.Refused(Field!, Problem!);

    public override string ToString() => IsValid ? $"Ok({Value})" : $"Refused({Field}: {Problem})";
}
