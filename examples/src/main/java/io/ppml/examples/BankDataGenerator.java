package io.ppml.examples;

import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.KeyManagementService;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * Synthetic bank customers and card transactions, written encrypted as they are generated (nothing is held in
 * memory but one row). Deterministic for a seed and sizes.
 *
 * <p>Fraud signal (what a model can learn): a transaction is fraudulent with probability 2%. Fraudulent ones are
 * drawn differently from genuine ones: amount 5%–105% of the customer's monthly income (genuine: log-normal
 * around 45, except 4% "big tickets" of 5%–65% of monthly income), at night (23:00–05:59) with probability 0.5
 * (genuine 0.08), in a foreign country with probability 0.45 (genuine 0.05), in a risky category (electronics,
 * jewelry, gambling, crypto) with probability 0.45 (genuine 0.1). A customer with at least one fraudulent
 * transaction is labelled 1 by the ETL.
 *
 * <p>Dirty input the ETL must clean: country written in several forms ({@code de}, {@code " Germany "},
 * {@code DEU}), padded fields, and about 0.5% malformed customer rows (missing fields or a non-numeric income).
 *
 * <p>Canaries: every 500th customer (and the first) carries {@link #CANARY} in its name, national id and
 * address. They let a scan of every byte written prove that no plaintext PII reached disk.
 */
public final class BankDataGenerator {
  /** Marker contained in every canary value. */
  public static final String CANARY = "PPMLCANARY";

  static final String CUSTOMER_HEADER =
      "customer_id,name,national_id,card_number,address,city,country,birth_date,income,account_open_date,segment";
  static final String TRANSACTION_HEADER =
      "txn_id,customer_id,timestamp,amount,merchant,merchant_category,channel,country,is_fraud";

  private static final int CANARY_EVERY = 500;
  private static final double FRAUD_RATE = 0.02;
  private static final double MALFORMED_RATE = 0.005;
  /** Genuine purchases that are large for the customer (furniture, holidays): they blur the amount signal. */
  private static final double BIG_TICKET_RATE = 0.04;
  private static final List<String> RISKY = List.of("electronics", "jewelry", "gambling", "crypto");
  private static final List<String> ORDINARY = List.of("grocery", "fuel", "restaurant", "travel", "clothing",
      "pharmacy", "utilities", "entertainment");
  private static final List<String> CHANNELS = List.of("pos", "online", "atm", "contactless");
  private static final List<String> SEGMENTS = List.of("retail", "premium", "business", "student");
  private static final List<String> FIRST = List.of("Alice", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta",
      "Hiro", "Ines", "Jonas", "Keiko", "Lars", "Mariam", "Nikolai", "Olga", "Pedro", "Sofia", "Tomasz");
  private static final List<String> LAST = List.of("Moreau", "Kowalski", "Tanaka", "Okafor", "Lindqvist", "Haddad",
      "Rossi", "Novak", "Fernandes", "Schmidt", "Nakamura", "Petrov", "Garcia", "Jansen");
  private static final List<String> STREETS = List.of("Main Street", "Station Road", "Harbour Lane", "Park Avenue",
      "Mill Road", "Church Street", "Market Square");
  private static final List<String> MERCHANTS = List.of("Nordmart", "CityFuel", "Bistro 21", "SkyTravel",
      "ModaLine", "PharmaPlus", "PowerGrid", "CineMax", "TechHub", "Goldsmith & Co", "LuckyBet", "CoinSwap");

  /** ISO code, spellings the raw data uses, cities. */
  private record Country(String iso, List<String> spellings, List<String> cities) {}

  private static final List<Country> COUNTRIES = List.of(
      new Country("DE", List.of("DE", "de", " Germany ", "DEU"), List.of("Berlin", "Hamburg", "Munich")),
      new Country("FR", List.of("FR", "fr", "France", "FRA"), List.of("Paris", "Lyon", "Lille")),
      new Country("IT", List.of("IT", "it", " Italy", "ITA"), List.of("Milan", "Turin", "Rome")),
      new Country("ES", List.of("ES", "es", "Spain ", "ESP"), List.of("Madrid", "Seville", "Valencia")),
      new Country("NL", List.of("NL", "nl", "Netherlands", "NLD"), List.of("Amsterdam", "Utrecht")),
      new Country("PL", List.of("PL", "pl", "Poland", "POL"), List.of("Warsaw", "Krakow", "Gdansk")),
      new Country("SE", List.of("SE", "se", "Sweden", "SWE"), List.of("Stockholm", "Uppsala")));

  /** Spelling (upper case, trimmed) to ISO code: what the ETL uses to normalise countries. */
  public static final Map<String, String> COUNTRY_SPELLINGS = countrySpellings();

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final LocalDateTime TXN_START = LocalDateTime.of(2026, 1, 1, 0, 0);

  /**
   * What to generate.
   *
   * @param plaintextCopy also write {@code plain/customers.csv} and {@code plain/transactions.csv} (benchmarks
   *     only: they hold every canary)
   */
  public record Options(Path outDir, long customers, long transactions, long seed, boolean plaintextCopy) {
    public Options {
      if (customers < 1 || transactions < 0) {
        throw new IllegalArgumentException("need at least one customer and no negative transaction count");
      }
    }
  }

  /** What was written: row counts (malformed rows included) and plaintext vs. encrypted bytes. */
  public record Result(long customerRows, long transactionRows, long plaintextBytes, long encryptedBytes,
      Path customersDir, Path transactionsCsvDir) {}

  private BankDataGenerator() {}

  /** Encrypted customers CSV directory under {@code outDir}. */
  public static Path customersDir(Path outDir) {
    return outDir.resolve("customers");
  }

  /** Encrypted transactions CSV directory under {@code outDir} (input of {@link #transactionsToParquet}). */
  public static Path transactionsCsvDir(Path outDir) {
    return outDir.resolve("transactions-csv");
  }

  /** Encrypted transactions Parquet directory under {@code outDir}. */
  public static Path transactionsDir(Path outDir) {
    return outDir.resolve("transactions");
  }

  /**
   * Writes {@code customers/part-00000.csv.ppml} (key {@link ExampleKeys#CUSTOMERS}) and
   * {@code transactions-csv/part-00000.csv.ppml} (key {@link ExampleKeys#TRANSACTIONS}) in the segmented format,
   * readable by {@code ppml-csv}. Customer {@code i} gets transactions {@code [i*T/C, (i+1)*T/C)}.
   */
  public static Result generate(Options o, KeyManagementService kms) throws IOException {
    Path customersFile = customersDir(o.outDir()).resolve("part-00000.csv.ppml");
    Path txnFile = transactionsCsvDir(o.outDir()).resolve("part-00000.csv.ppml");
    Files.createDirectories(customersFile.getParent());
    Files.createDirectories(txnFile.getParent());
    Random random = new Random(o.seed());
    long[] plainBytes = new long[1];
    try (Sink customers = Sink.open(customersFile, kms, ExampleKeys.CUSTOMERS, o, "customers.csv", plainBytes);
        Sink txns = Sink.open(txnFile, kms, ExampleKeys.TRANSACTIONS, o, "transactions.csv", plainBytes)) {
      customers.line(CUSTOMER_HEADER);
      txns.line(TRANSACTION_HEADER);
      long txnId = 0;
      for (long c = 0; c < o.customers(); c++) {
        Customer customer = Customer.random(c, random);
        customers.line(random.nextDouble() < MALFORMED_RATE ? customer.malformed(random) : customer.csv(random));
        long end = (c + 1) * o.transactions() / o.customers();
        for (; txnId < end; txnId++) {
          txns.line(transaction(txnId, customer, random));
        }
      }
    }
    long encrypted = Files.size(customersFile) + Files.size(txnFile);
    return new Result(o.customers(), o.transactions(), plainBytes[0], encrypted, customersDir(o.outDir()),
        transactionsCsvDir(o.outDir()));
  }

  /**
   * Rewrites the encrypted transaction CSV as {@code ppml-parquet} (key {@link ExampleKeys#TRANSACTIONS}) with
   * typed columns; returns the number of rows.
   */
  public static long transactionsToParquet(SparkSession spark, Path outDir) {
    var txns = spark.read().format("ppml-csv").option("header", "true")
        .schema("txn_id LONG, customer_id STRING, timestamp TIMESTAMP, amount DOUBLE, merchant STRING, "
            + "merchant_category STRING, channel STRING, country STRING, is_fraud INT")
        .load(transactionsCsvDir(outDir).toString());
    txns.write().format("ppml-parquet").option("key", ExampleKeys.TRANSACTIONS).mode("overwrite")
        .save(transactionsDir(outDir).toString());
    return spark.read().format("ppml-parquet").load(transactionsDir(outDir).toString()).count();
  }

  private record Customer(String id, String country, double monthlyIncome, String[] fields) {
    static Customer random(long index, Random r) {
      boolean canary = index % CANARY_EVERY == 0;
      Country country = COUNTRIES.get(r.nextInt(COUNTRIES.size()));
      String segment = SEGMENTS.get(r.nextInt(SEGMENTS.size()));
      double income = switch (segment) {
        case "premium" -> 90_000 + r.nextDouble() * 160_000;
        case "business" -> 60_000 + r.nextDouble() * 120_000;
        case "student" -> 6_000 + r.nextDouble() * 14_000;
        default -> 22_000 + r.nextDouble() * 50_000;
      };
      String id = String.format(Locale.ROOT, "C%08d", index);
      String name = FIRST.get(r.nextInt(FIRST.size())) + " " + LAST.get(r.nextInt(LAST.size()))
          + (canary ? " " + CANARY + index : "");
      String nationalId = (canary ? CANARY : country.iso())
          + String.format(Locale.ROOT, "%09d", r.nextInt(1_000_000_000));
      String card = String.format(Locale.ROOT, "4%03d%06d%06d", r.nextInt(1000), r.nextInt(1_000_000),
          r.nextInt(1_000_000));
      String address = "\"" + (1 + r.nextInt(200)) + " " + STREETS.get(r.nextInt(STREETS.size()))
          + (canary ? ", " + CANARY + " Building" : "") + "\"";
      String city = country.cities().get(r.nextInt(country.cities().size()));
      LocalDate birth = LocalDate.of(1950, 1, 1).plusDays(r.nextInt(365 * 55));
      LocalDate opened = LocalDate.of(2005, 1, 1).plusDays(r.nextInt(365 * 20));
      String[] fields = {id, name, nationalId, card, address, city, null,
          birth.toString(), String.format(Locale.ROOT, "%.2f", income), opened.toString(), segment};
      return new Customer(id, country.iso(), income / 12, fields);
    }

    /** A well-formed row; the country in one of its spellings and some fields padded with blanks. */
    String csv(Random r) {
      Country c = COUNTRIES.stream().filter(x -> x.iso().equals(country)).findFirst().orElseThrow();
      String[] row = fields.clone();
      row[6] = "\"" + c.spellings().get(r.nextInt(c.spellings().size())) + "\"";
      if (r.nextInt(10) == 0) {
        row[5] = "  " + row[5] + " ";
      }
      return String.join(",", row);
    }

    /** A row the ETL must drop: too few fields, or an income that is not a number. */
    String malformed(Random r) {
      String[] row = fields.clone();
      row[6] = country;
      if (r.nextBoolean()) {
        return String.join(",", Arrays.copyOf(row, 5));
      }
      row[8] = "n/a";
      return String.join(",", row);
    }
  }

  private static String transaction(long id, Customer customer, Random r) {
    boolean fraud = r.nextDouble() < FRAUD_RATE;
    double amount;
    if (fraud) {
      amount = customer.monthlyIncome() * (0.05 + 1.0 * r.nextDouble());
    } else if (r.nextDouble() < BIG_TICKET_RATE) {
      amount = customer.monthlyIncome() * (0.05 + 0.6 * r.nextDouble());
    } else {
      amount = Math.exp(Math.log(45) + 0.9 * r.nextGaussian());
    }
    boolean night = r.nextDouble() < (fraud ? 0.5 : 0.08);
    int hour = night ? (23 + r.nextInt(7)) % 24 : 6 + r.nextInt(17);
    LocalDateTime when = TXN_START.plusDays(r.nextInt(365)).withHour(hour).withMinute(r.nextInt(60))
        .withSecond(r.nextInt(60));
    boolean foreign = r.nextDouble() < (fraud ? 0.45 : 0.05);
    String country = customer.country();
    if (foreign) {
      List<Country> others = COUNTRIES.stream().filter(c -> !c.iso().equals(customer.country())).toList();
      country = others.get(r.nextInt(others.size())).iso();
    }
    boolean risky = r.nextDouble() < (fraud ? 0.45 : 0.1);
    String category = risky ? RISKY.get(r.nextInt(RISKY.size())) : ORDINARY.get(r.nextInt(ORDINARY.size()));
    String merchant = MERCHANTS.get(r.nextInt(MERCHANTS.size()));
    String channel = CHANNELS.get(r.nextInt(CHANNELS.size()));
    return id + "," + customer.id() + "," + TIMESTAMP.format(when) + ","
        + String.format(Locale.ROOT, "%.2f", amount) + ",\"" + merchant + "\"," + category + "," + channel + ","
        + country + "," + (fraud ? 1 : 0);
  }

  private static Map<String, String> countrySpellings() {
    Map<String, String> m = new TreeMap<>();
    for (Country c : COUNTRIES) {
      for (String s : c.spellings()) {
        m.put(s.trim().toUpperCase(Locale.ROOT), c.iso());
      }
    }
    return Map.copyOf(m);
  }

  /** One output table: the encrypted file, plus its plaintext copy when asked for. */
  private static final class Sink implements AutoCloseable {
    private final Writer encrypted;
    private final Writer plain;

    private Sink(Writer encrypted, Writer plain) {
      this.encrypted = encrypted;
      this.plain = plain;
    }

    static Sink open(Path file, KeyManagementService kms, String key, Options o, String plainName, long[] counter)
        throws IOException {
      OutputStream raw = Files.newOutputStream(file);
      SegmentedAeadWriter writer;
      try {
        writer = SegmentedAeadWriter.open(raw, kms, key, SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE,
            file.getFileName().toString());
      } catch (IOException | RuntimeException e) {
        raw.close();
        throw e;
      }
      Writer enc = new BufferedWriter(new OutputStreamWriter(new Counting(writer, counter), StandardCharsets.UTF_8),
          1 << 16);
      Writer plain = null;
      if (o.plaintextCopy()) {
        Path copy = o.outDir().resolve("plain").resolve(plainName);
        Files.createDirectories(copy.getParent());
        plain = Files.newBufferedWriter(copy, StandardCharsets.UTF_8);
      }
      return new Sink(enc, plain);
    }

    void line(String line) throws IOException {
      encrypted.write(line);
      encrypted.write('\n');
      if (plain != null) {
        plain.write(line);
        plain.write('\n');
      }
    }

    @Override
    public void close() throws IOException {
      try (Writer p = plain) {
        encrypted.close();
      }
    }
  }

  /** Counts the plaintext bytes that pass into the encrypting writer. */
  private static final class Counting extends FilterOutputStream {
    private final long[] counter;

    Counting(OutputStream out, long[] counter) {
      super(out);
      this.counter = counter;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      counter[0]++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      counter[0] += len;
    }
  }

  /**
   * {@code spark-submit --class io.ppml.examples.BankDataGenerator examples.jar OUT_DIR CUSTOMERS TRANSACTIONS
   * [SEED] [--plaintext]}: generates the encrypted inputs and the transactions Parquet table.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: BankDataGenerator OUT_DIR CUSTOMERS TRANSACTIONS [SEED] [--plaintext]");
      System.exit(2);
    }
    boolean plaintext = List.of(args).contains("--plaintext");
    long seed = args.length > 3 && !args[3].equals("--plaintext") ? Long.parseLong(args[3]) : 42;
    SparkSession spark = ExampleSession.submitted("ppml-bank-data-generator");
    try {
      KeyManagementService kms = ExampleSession.keyService(spark);
      Options o = new Options(Path.of(args[0]), Long.parseLong(args[1]), Long.parseLong(args[2]), seed, plaintext);
      Result r = generate(o, kms);
      long parquetRows = transactionsToParquet(spark, o.outDir());
      System.out.printf("customers %,d, transactions %,d (parquet %,d), plaintext %,d bytes, encrypted %,d bytes%n",
          r.customerRows(), r.transactionRows(), parquetRows, r.plaintextBytes(), r.encryptedBytes());
    } finally {
      spark.stop();
    }
  }
}
