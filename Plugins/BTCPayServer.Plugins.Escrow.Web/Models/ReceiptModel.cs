using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

public sealed record ReceiptModel(Guid ContractId, string Title, ContractState State, TermsVersion? Latest, int EffectiveVersion, int AuditCount, string AuditHead, AuditVerification Verification);
