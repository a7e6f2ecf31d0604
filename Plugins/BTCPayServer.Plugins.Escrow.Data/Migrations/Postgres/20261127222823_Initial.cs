using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BTCPayServer.Plugins.Escrow.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.CreateTable(
                name: "Contracts",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    StoreId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Scope = table.Column<string>(type: "text", nullable: false),
                    Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Fx = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Overpayment = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ReviewWindow = table.Column<TimeSpan>(type: "interval", nullable: false),
                    DisputeResponseWindow = table.Column<TimeSpan>(type: "interval", nullable: false),
                    EffectiveTermsVersion = table.Column<int>(type: "integer", nullable: false),
                    AuditCount = table.Column<int>(type: "integer", nullable: false),
                    AuditHeadHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NextTimerAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Revision = table.Column<long>(type: "bigint", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    SummaryFunded = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    SummaryOpenDisputes = table.Column<int>(type: "integer", nullable: false),
                    SummaryOutstanding = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    SummaryRefunded = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    SummaryReleased = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    SummaryTotal = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Client_Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Client_Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Credit_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Credit_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    CreditBtc_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    CreditBtc_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Fee_ChargedTo = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Fee_Percent = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: false),
                    Fee_FixedPerMilestone_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Fee_FixedPerMilestone_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Freelancer_Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Freelancer_Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Contracts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Allocations",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    PaymentId = table.Column<string>(type: "text", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: true),
                    Reversed = table.Column<bool>(type: "boolean", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Btc_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Btc_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Allocations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Allocations_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActorRole = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ActorId = table.Column<string>(type: "text", nullable: false),
                    Type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Data = table.Column<string>(type: "text", nullable: false),
                    PreviousHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => new { x.ContractId, x.Sequence });
                    table.ForeignKey(
                        name: "FK_AuditEntries_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Disputes",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: false),
                    OpenedBy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ResponseDeadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    EscalatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    EscalationReason = table.Column<string>(type: "text", nullable: true),
                    RulingReason = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    RuledBy = table.Column<string>(type: "text", nullable: true),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    FreelancerShare_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: true),
                    FreelancerShare_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disputes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Disputes_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FundingInvoices",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    InvoiceId = table.Column<string>(type: "text", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    MilestoneIds = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    CheckoutLink = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundingInvoices", x => x.InvoiceId);
                    table.ForeignKey(
                        name: "FK_FundingInvoices_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "LedgerPayments",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    PaymentId = table.Column<string>(type: "text", nullable: false),
                    InvoiceId = table.Column<string>(type: "text", nullable: false),
                    Rate = table.Column<decimal>(type: "numeric(28,12)", precision: 28, scale: 12, nullable: false),
                    Method = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Credited_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Credited_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Crypto_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Crypto_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerPayments", x => new { x.ContractId, x.PaymentId });
                    table.ForeignKey(
                        name: "FK_LedgerPayments_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Milestones",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Deliverable = table.Column<string>(type: "character varying(5000)", maxLength: 5000, nullable: false),
                    DueDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ReviewWindow = table.Column<TimeSpan>(type: "interval", nullable: true),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReviewDeadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    OverdueSince = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    ClientFee_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    ClientFee_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    FeesRetained_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    FeesRetained_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Funded_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Funded_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    FundedBtc_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    FundedBtc_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    RefundedToClient_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    RefundedToClient_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    ReleasedToFreelancer_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    ReleasedToFreelancer_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Milestones", x => new { x.ContractId, x.Id });
                    table.ForeignKey(
                        name: "FK_Milestones_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PartyAccess", x => new { x.ContractId, x.Role });
                    table.ForeignKey(
                        name: "FK_PartyAccess_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PayoutInstructions",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "text", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: true),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Recipient = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Description = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    PullPaymentId = table.Column<string>(type: "text", nullable: true),
                    ClaimLink = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClaimableAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Amount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    Amount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    PayoutAmount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    PayoutAmount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PayoutInstructions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PayoutInstructions_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProcessedEvents",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    EventId = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ProcessedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessedEvents", x => x.EventId);
                    table.ForeignKey(
                        name: "FK_ProcessedEvents_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TermsVersions",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Number = table.Column<int>(type: "integer", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Canonical = table.Column<string>(type: "text", nullable: false),
                    OfferedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClientAcceptedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FreelancerAcceptedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TermsVersions", x => new { x.ContractId, x.Number });
                    table.ForeignKey(
                        name: "FK_TermsVersions_Contracts_ContractId",
                        column: x => x.ContractId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Contracts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DisputeMessages",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    Author = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DisputeMessages_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SplitProposals",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DisputeId = table.Column<Guid>(type: "uuid", nullable: false),
                    ProposedBy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Note = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    ProposedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    FreelancerAmount_Amount = table.Column<decimal>(type: "numeric(28,8)", precision: 28, scale: 8, nullable: false),
                    FreelancerAmount_Currency = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SplitProposals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SplitProposals_Disputes_DisputeId",
                        column: x => x.DisputeId,
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Disputes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReviewEntries",
                schema: "BTCPayServer.Plugins.Escrow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    MilestoneId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Author = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Message = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    Links = table.Column<List<string>>(type: "text[]", nullable: false),
                    FileHashes = table.Column<List<string>>(type: "text[]", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ContractId = table.Column<Guid>(type: "uuid", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewEntries_Milestones_ContractId_MilestoneId",
                        columns: x => new { x.ContractId, x.MilestoneId },
                        principalSchema: "BTCPayServer.Plugins.Escrow",
                        principalTable: "Milestones",
                        principalColumns: new[] { "ContractId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Allocations_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Allocations",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_Contracts_NextTimerAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                column: "NextTimerAt");

            migrationBuilder.CreateIndex(
                name: "IX_Contracts_StoreId_UpdatedAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Contracts",
                columns: new[] { "StoreId", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_DisputeMessages_DisputeId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "DisputeMessages",
                column: "DisputeId");

            migrationBuilder.CreateIndex(
                name: "IX_Disputes_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "Disputes",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_FundingInvoices_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "FundingInvoices",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_PartyAccess_TokenHash",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PartyAccess",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PayoutInstructions",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_Key",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PayoutInstructions",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_PullPaymentId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PayoutInstructions",
                column: "PullPaymentId");

            migrationBuilder.CreateIndex(
                name: "IX_PayoutInstructions_Queued_NextAttemptAt",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "PayoutInstructions",
                column: "NextAttemptAt",
                filter: "\"Status\" = 'Queued'");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessedEvents_ContractId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "ProcessedEvents",
                column: "ContractId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewEntries_ContractId_MilestoneId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "ReviewEntries",
                columns: new[] { "ContractId", "MilestoneId" });

            migrationBuilder.CreateIndex(
                name: "IX_SplitProposals_DisputeId",
                schema: "BTCPayServer.Plugins.Escrow",
                table: "SplitProposals",
                column: "DisputeId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Allocations",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "AuditEntries",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "DisputeMessages",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "FundingInvoices",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "LedgerPayments",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "PartyAccess",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "PayoutInstructions",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "ProcessedEvents",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "ReviewEntries",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "SplitProposals",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "TermsVersions",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "Milestones",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "Disputes",
                schema: "BTCPayServer.Plugins.Escrow");

            migrationBuilder.DropTable(
                name: "Contracts",
                schema: "BTCPayServer.Plugins.Escrow");
        }
    }
}
